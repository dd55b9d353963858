/**
 * Reads server-sent events from a byte stream (internal to registry/follow), following the
 * WHATWG HTML "event stream interpretation": lines end in CRLF, LF or CR; a line starting
 * with ":" is a comment; "field: value" (one optional space after the colon) sets event,
 * data (repeated data lines join with "\n"), id (ignored if it holds NUL) or retry; an
 * empty line dispatches the event if it has data. A stream that ends mid-event drops it.
 *
 * The stream is attacker-controlled: a line longer than `maxLine` characters ends the
 * read with an error rather than buffering without bound.
 * @module
 */
import { CanopyError } from '../../core/errors.ts';

/** One dispatched event. */
export interface ServerSentEvent {
  /** The event type ("message" when none was given). */
  event: string;
  data: string;
  /** The last event ID in force when it was dispatched, or null. */
  id: string | null;
}

/**
 * The events of `body`, in order.
 * @param maxLine - longest line accepted, characters (default 2 MiB: a checkpoint note and
 *   the largest entry, 64 KiB, as JSON fit with room to spare)
 * @throws {CanopyError} PROOF_INVALID for a line longer than maxLine; stream errors
 * @example for await (const e of readServerSentEvents(res.body!)) if (e.event === 'entry') …
 */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>, maxLine = 2 * 1024 * 1024): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder('utf-8');
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let lastId: string | null = null;
  let skipLf = false;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      for (;;) {
        if (skipLf && buffer.startsWith('\n')) buffer = buffer.slice(1);
        skipLf = false;
        const end = firstLineEnd(buffer);
        if (end < 0) break;
        const line = buffer.slice(0, end);
        if (buffer[end] === '\r') {
          if (end + 1 < buffer.length) buffer = buffer.slice(end + (buffer[end + 1] === '\n' ? 2 : 1));
          else {
            buffer = buffer.slice(end + 1);
            skipLf = true;
          }
        } else {
          buffer = buffer.slice(end + 1);
        }
        if (line === '') {
          if (data.length > 0) yield { event: event === '' ? 'message' : event, data: data.join('\n'), id: lastId };
          event = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let v = colon < 0 ? '' : line.slice(colon + 1);
        if (v.startsWith(' ')) v = v.slice(1);
        if (field === 'event') event = v;
        else if (field === 'data') data.push(v);
        else if (field === 'id' && !v.includes('\0')) lastId = v;
      }
      if (buffer.length > maxLine) throw new CanopyError('PROOF_INVALID', `an event stream line is longer than ${maxLine} characters`);
      if (done) return;
    }
  } finally {
    reader.releaseLock();
    await body.cancel().catch(() => undefined);
  }
}

function firstLineEnd(s: string): number {
  const lf = s.indexOf('\n');
  const cr = s.indexOf('\r');
  if (lf < 0) return cr;
  if (cr < 0) return lf;
  return Math.min(lf, cr);
}
