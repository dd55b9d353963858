/**
 * The follow API: the registry's log as a stream for downstream systems, the way a Kafka
 * topic is consumed, resumable from any position. Framework-free; follow-router.ts is the
 * express side.
 *
 *     GET /v1/follow?after=SEQ&limit=N
 *         200 { checkpoint: { size, note } | null, entries: [{ sequence, leafHash, entry }], last }
 *     GET /v1/follow/stream?after=SEQ          (or header Last-Event-ID: SEQ, which wins)
 *         200 text/event-stream:
 *             retry: 2000
 *
 *             event: checkpoint
 *             data: {"size":120,"note":"registry.example/canopy\n120\n…"}
 *
 *             id: 117
 *             event: entry
 *             data: {"sequence":117,"leafHash":"…","entry":{…}}
 *
 *             : heartbeat
 *
 * Positions: `after` is the sequence number of the last entry the consumer has (omit it to
 * start at entry 0); both answer entries after it in order, each exactly once. `last` in a
 * page is the `after` of the next request. An SSE entry's `id` is its sequence number, so
 * a reconnecting EventSource resumes by itself through Last-Event-ID.
 *
 * Only entries covered by a signed checkpoint are served, and every page or run of
 * entries comes after the checkpoint that covers it, so a consumer can check each batch
 * against a signed root before acting on it (the page carries the note; the stream sends
 * it as a `checkpoint` event first). Entries appended since the last checkpoint wait for
 * the next one (every second by default).
 *
 * Queries are strict, as in the rest of the API: canonical decimals up to 2^51, no other
 * parameter, none repeated; `limit` 1..1000 (default 100). Errors are 400 INVALID_QUERY.
 * @module
 */
import { CanopyError } from '../../core/errors.ts';
import { TLOG_MAX_SIZE } from '../../core/tlog/tree-size.ts';
import type { ServedEntry } from '../log/registry-log.ts';
import type { CheckpointWatch } from './checkpoint-watch.ts';

/** Default entries per page. */
export const DEFAULT_FOLLOW_LIMIT = 100;

/** Most entries per page, and per read while streaming. */
export const MAX_FOLLOW_LIMIT = 1000;

/** What following reads. `RegistryLog` is one. */
export interface FollowSource {
  latestCheckpoint(): Promise<{ note: string; size: number } | null>;
  readEntries(start: number, end: number): Promise<ServedEntry[]>;
}

/** A page of the follow API. */
export interface FollowPage {
  /** The latest signed checkpoint, which covers every entry of the page; null before the first. */
  checkpoint: { size: number; note: string } | null;
  entries: ServedEntry[];
  /** Sequence number of the last entry returned, else the `after` asked for (null: none yet). */
  last: number | null;
}

/** A framework-free JSON answer. */
export interface FollowResponse {
  status: number;
  headers: Record<string, string>;
  json: unknown;
}

/** Where a stream writes. `write` resolves once the chunk may be followed by more (backpressure). */
export interface EventSink {
  write(chunk: string): Promise<void>;
  /** True once the client went away or the server is stopping. */
  readonly closed: boolean;
}

/** Options of `followStream`. */
export interface FollowStreamOptions {
  watch: CheckpointWatch;
  /** Idle time after which a heartbeat comment is sent, ms (default 15,000). */
  heartbeatMs?: number;
}

/**
 * Parses the query of `/v1/follow` (or, with `stream`, of `/v1/follow/stream`).
 * @param query - parameter → value as the HTTP layer parsed it (attacker-controlled)
 * @param lastEventId - the Last-Event-ID header, if any (stream only; wins over `after`)
 * @throws {CanopyError} INVALID_INPUT for an unknown, repeated or malformed parameter (answered 400 INVALID_QUERY)
 * @example parseFollowQuery({ after: '41', limit: '10' }, undefined, false) // { after: 41, limit: 10 }
 */
export function parseFollowQuery(query: Record<string, unknown>, lastEventId: string | undefined, stream: boolean): { after: number | null; limit: number } {
  const allowed = stream ? ['after'] : ['after', 'limit'];
  for (const key of Object.keys(query)) {
    if (!allowed.includes(key)) throw invalid(`unknown query parameter ${JSON.stringify(key.slice(0, 50))}`);
  }
  const after = lastEventId !== undefined && stream ? decimal(lastEventId, 'Last-Event-ID', TLOG_MAX_SIZE - 1) : query.after === undefined ? null : decimal(query.after, 'after', TLOG_MAX_SIZE - 1);
  const limit = query.limit === undefined ? DEFAULT_FOLLOW_LIMIT : decimal(query.limit, 'limit', MAX_FOLLOW_LIMIT);
  if (limit < 1) throw invalid(`"limit" expected 1..${MAX_FOLLOW_LIMIT}, got 0`);
  return { after, limit };
}

/**
 * Answers `GET /v1/follow`: the entries after `after` covered by the latest checkpoint, at most `limit`.
 * @throws store failures
 * @example await followPage(service.log, { after: 41, limit: 100 })
 */
export async function followPage(source: FollowSource, q: { after: number | null; limit: number }): Promise<FollowPage> {
  const latest = await source.latestCheckpoint();
  const checkpoint = latest === null ? null : { size: latest.size, note: latest.note };
  const start = q.after === null ? 0 : q.after + 1;
  const end = Math.min(checkpoint?.size ?? 0, start + q.limit);
  const entries = end > start ? await source.readEntries(start, end) : [];
  return { checkpoint, entries, last: entries.length > 0 ? entries[entries.length - 1]!.sequence : q.after };
}

/**
 * `GET /v1/follow` as a response: 200 with the page, or 400 for a bad query.
 * @throws store failures (a server fault)
 * @example await followPageResponse(service.log, req.query)
 */
export async function followPageResponse(source: FollowSource, query: Record<string, unknown>): Promise<FollowResponse> {
  let q;
  try {
    q = parseFollowQuery(query, undefined, false);
  } catch (e) {
    return errorResponse(e as CanopyError);
  }
  return { status: 200, headers: { 'cache-control': 'no-cache' }, json: await followPage(source, q) };
}

/**
 * The 400 answer for a bad query.
 * @example errorResponse(new CanopyError('INVALID_QUERY', '…')).status // 400
 */
export function errorResponse(e: CanopyError): FollowResponse {
  return { status: 400, headers: { 'cache-control': 'no-cache' }, json: { error: { code: 'INVALID_QUERY', message: e.message } } };
}

/**
 * Streams entries after `after` to `sink` as server-sent events until the sink closes:
 * each time the registry signs a larger checkpoint, that checkpoint, then the entries up
 * to it; heartbeats while idle.
 * @throws store failures (the stream ends; the client reconnects with Last-Event-ID)
 * @example await followStream(service.log, after, sink, { watch })
 */
export async function followStream(source: FollowSource, after: number | null, sink: EventSink, options: FollowStreamOptions): Promise<void> {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  let position = after === null ? 0 : after + 1; // next sequence number to send
  await sink.write('retry: 2000\n\n');
  let lastWrite = Date.now();
  while (!sink.closed) {
    const latest = await source.latestCheckpoint();
    if (latest !== null && latest.size > position) {
      await sink.write(`event: checkpoint\ndata: ${JSON.stringify({ size: latest.size, note: latest.note })}\n\n`);
      while (position < latest.size && !sink.closed) {
        const batch = await source.readEntries(position, Math.min(latest.size, position + MAX_FOLLOW_LIMIT));
        if (batch.length === 0) throw new CanopyError('LOG_INCONSISTENT', `no entries at ${position} below the checkpoint of size ${latest.size}`);
        for (const e of batch) {
          if (sink.closed) return;
          await sink.write(`id: ${e.sequence}\nevent: entry\ndata: ${JSON.stringify(e)}\n\n`);
        }
        position += batch.length;
      }
      lastWrite = Date.now();
      continue;
    }
    const idle = Date.now() - lastWrite;
    if (idle >= heartbeatMs) {
      await sink.write(': heartbeat\n\n');
      lastWrite = Date.now();
      continue;
    }
    await options.watch.waitBeyond(position, heartbeatMs - idle);
  }
}

function decimal(value: unknown, name: string, max: number): number {
  if (Array.isArray(value)) throw invalid(`"${name}" is repeated`);
  if (typeof value !== 'string' || !/^(0|[1-9][0-9]{0,15})$/.test(value) || Number(value) > max) {
    throw invalid(`"${name}" expected a canonical decimal in [0, ${max}], got ${JSON.stringify(String(value).slice(0, 40))}`);
  }
  return Number(value);
}

function invalid(message: string): CanopyError {
  return new CanopyError('INVALID_INPUT', message);
}
