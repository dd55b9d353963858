/**
 * `followLog`: a consumer of the follow API (follow-handlers.ts) that yields batches of
 * entries only after a `BatchVerifier` has checked them against a signed checkpoint, in
 * order, each entry once, resumable from any position:
 *
 *     for await (const { checkpoint, entries } of followLog({ registry, verifier, after: state.after })) {
 *       for (const e of entries) handle(e);
 *       save({ after: entries.at(-1).sequence, checkpoint: checkpoint.note });
 *     }
 *
 * Two transports, same batches:
 *
 * - `stream` (default): `GET /v1/follow/stream?after=…`, server-sent events; a batch is the
 *   run of entries up to a checkpoint's size (at most 1000 at a time). A dropped connection
 *   is reopened after `reconnectMs` from the last position yielded; entries received but
 *   not yet verified are fetched again, so none is yielded twice or skipped.
 * - `poll`: `GET /v1/follow?after=…&limit=…` page by page, waiting `pollMs` when caught up;
 *   with `untilCaughtUp`, the generator ends at the first empty page instead.
 *
 * Everything the registry sends is checked: shapes, that each batch starts exactly after
 * the last entry yielded, and the verifier's checks. A failed check throws (and ends the
 * generator); a network failure or 5xx in stream mode is retried, in poll mode thrown.
 * Stopping early (`break`, or aborting `signal`) closes the connection.
 * @module
 */
import { assertInteger, typeError } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { TLOG_MAX_SIZE } from '../../core/tlog/tree-size.ts';
import type { VerifiedCheckpoint } from '../client.ts';
import type { ServedEntry } from '../log/registry-log.ts';
import type { BatchVerifier } from './batch-verifier.ts';
import { MAX_FOLLOW_LIMIT } from './follow-handlers.ts';
import { readServerSentEvents } from './_sse-reader.ts';

/** Options of `followLog`. */
export interface FollowLogOptions {
  /** The registry's base URL, e.g. "http://127.0.0.1:8080". */
  registry: string;
  verifier: BatchVerifier;
  /** Sequence number of the last entry already handled; null or absent: start at entry 0. */
  after?: number | null;
  mode?: 'stream' | 'poll';
  /** Entries per page in poll mode, 1..1000 (default 1000). */
  pageSize?: number;
  /** Poll mode: wait between pages when caught up, ms (default 1000). */
  pollMs?: number;
  /** Poll mode: end at the first page with no new entry. */
  untilCaughtUp?: boolean;
  /** Stream mode: wait before reconnecting, ms (default 1000). */
  reconnectMs?: number;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  /** Per-request time limit of pages, ms (default 30,000). */
  timeoutMs?: number;
}

/** Entries checked against the checkpoint that covers them. */
export interface FollowBatch {
  checkpoint: VerifiedCheckpoint;
  entries: ServedEntry[];
}

/**
 * Follows the registry; see the module comment.
 * @throws {TypeError|RangeError} for a bad option; {CanopyError} PROOF_INVALID for a batch
 *   that fails its checks or a malformed answer; poll mode: network and HTTP errors
 * @example for await (const batch of followLog({ registry: url, verifier })) emit(batch)
 */
export async function* followLog(options: FollowLogOptions): AsyncGenerator<FollowBatch> {
  if (typeof options !== 'object' || options === null || typeof options.verifier?.verify !== 'function') typeError('options.verifier', 'BatchVerifier', options?.verifier);
  const base = new URL(options.registry).href.replace(/\/+$/, '');
  const after = options.after ?? null;
  if (after !== null) assertInteger(after, 'options.after', 0, TLOG_MAX_SIZE - 1);
  const pageSize = options.pageSize ?? MAX_FOLLOW_LIMIT;
  assertInteger(pageSize, 'options.pageSize', 1, MAX_FOLLOW_LIMIT);
  const cursor = { next: after === null ? 0 : after + 1 };
  if ((options.mode ?? 'stream') === 'poll' || options.untilCaughtUp === true) yield* poll(base, options, pageSize, cursor);
  else yield* stream(base, options, cursor);
}

async function* poll(base: string, options: FollowLogOptions, pageSize: number, cursor: { next: number }): AsyncGenerator<FollowBatch> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const pollMs = options.pollMs ?? 1000;
  assertInteger(pollMs, 'options.pollMs', 1, 3_600_000);
  while (!aborted(options.signal)) {
    const q = cursor.next === 0 ? `limit=${pageSize}` : `after=${cursor.next - 1}&limit=${pageSize}`;
    const res = await doFetch(`${base}/v1/follow?${q}`, { signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
    if (!res.ok) throw new Error(`GET ${base}/v1/follow?${q} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    const page = readPage(await res.json());
    if (page.entries.length === 0 || page.checkpoint === null) {
      if (options.untilCaughtUp === true) return;
      await sleep(pollMs, options.signal);
      continue;
    }
    yield await checked(options.verifier, page.checkpoint.note, page.entries, cursor);
  }
}

async function* stream(base: string, options: FollowLogOptions, cursor: { next: number }): AsyncGenerator<FollowBatch> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const reconnectMs = options.reconnectMs ?? 1000;
  assertInteger(reconnectMs, 'options.reconnectMs', 0, 3_600_000);
  while (!aborted(options.signal)) {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const target = `${base}/v1/follow/stream${cursor.next === 0 ? '' : `?after=${cursor.next - 1}`}`;
      let res: Response;
      try {
        res = await doFetch(target, { headers: { accept: 'text/event-stream' }, signal: controller.signal });
      } catch {
        if (aborted(options.signal)) return;
        await sleep(reconnectMs, options.signal);
        continue;
      }
      if (res.status >= 400 && res.status < 500) throw new Error(`GET ${target} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
      if (!res.ok || res.body === null) {
        await res.body?.cancel();
        await sleep(reconnectMs, options.signal);
        continue;
      }
      let checkpoint: { size: number; note: string } | null = null;
      let pending: ServedEntry[] = [];
      try {
        for await (const event of readServerSentEvents(res.body)) {
          if (event.event === 'checkpoint') {
            // Entries up to the previous checkpoint are all below this one too.
            if (pending.length > 0) yield await checked(options.verifier, checkpoint!.note, pending, cursor);
            pending = [];
            checkpoint = readCheckpoint(parseJson(event.data, 'checkpoint event'));
          } else if (event.event === 'entry') {
            if (checkpoint === null) throw new CanopyError('PROOF_INVALID', 'the stream sent an entry before any checkpoint');
            const entry = readEntry(parseJson(event.data, 'entry event'), 'entry event');
            if (entry.sequence !== cursor.next + pending.length) throw new CanopyError('PROOF_INVALID', `the stream sent entry ${entry.sequence} where ${cursor.next + pending.length} was due`);
            pending.push(entry);
            if (entry.sequence === checkpoint.size - 1 || pending.length >= MAX_FOLLOW_LIMIT) {
              yield await checked(options.verifier, checkpoint.note, pending, cursor);
              pending = [];
            }
          }
        }
      } catch (e) {
        if (e instanceof CanopyError || aborted(options.signal)) throw e;
        // A dropped connection: reconnect after the last entry yielded.
      }
      if (aborted(options.signal)) return;
      await sleep(reconnectMs, options.signal);
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      controller.abort();
    }
  }
}

/** Verifies a batch that must start at the cursor, and moves the cursor past it. */
async function checked(verifier: BatchVerifier, note: string, entries: ServedEntry[], cursor: { next: number }): Promise<FollowBatch> {
  if (entries[0]!.sequence !== cursor.next) throw new CanopyError('PROOF_INVALID', `a batch starts at entry ${entries[0]!.sequence}, not at ${cursor.next}`);
  const checkpoint = await verifier.verify(note, entries);
  cursor.next = entries[entries.length - 1]!.sequence + 1;
  return { checkpoint, entries };
}

function readPage(json: unknown): { checkpoint: { size: number; note: string } | null; entries: ServedEntry[] } {
  if (typeof json !== 'object' || json === null) throw malformed('the page is not an object');
  const p = json as Record<string, unknown>;
  if (!Array.isArray(p.entries)) throw malformed('the page has no entries array');
  return { checkpoint: p.checkpoint === null ? null : readCheckpoint(p.checkpoint), entries: p.entries.map((e, i) => readEntry(e, `entries[${i}]`)) };
}

function readCheckpoint(value: unknown): { size: number; note: string } {
  const c = value as { size?: unknown; note?: unknown } | null;
  if (typeof c !== 'object' || c === null || !Number.isSafeInteger(c.size) || typeof c.note !== 'string') throw malformed('a checkpoint is not { size, note }');
  return { size: c.size as number, note: c.note };
}

function readEntry(value: unknown, name: string): ServedEntry {
  const e = value as { sequence?: unknown; leafHash?: unknown; entry?: unknown } | null;
  if (typeof e !== 'object' || e === null || !Number.isSafeInteger(e.sequence) || typeof e.leafHash !== 'string' || typeof e.entry !== 'object' || e.entry === null) {
    throw malformed(`${name} is not { sequence, leafHash, entry }`);
  }
  return { sequence: e.sequence as number, leafHash: e.leafHash, entry: e.entry as ServedEntry['entry'] };
}

function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw malformed(`the ${name} is not JSON`);
  }
}

function malformed(message: string): CanopyError {
  return new CanopyError('PROOF_INVALID', `malformed follow answer: ${message}`);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Whether the signal was aborted (a function, so that TypeScript does not narrow it across awaits). */
function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
