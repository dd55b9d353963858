/**
 * The express side of the follow API (follow-handlers.ts): a Router answering
 * `GET /v1/follow` and `GET /v1/follow/stream`; every other request passes on.
 *
 *     app.use(followRouter({ source: service.log }));
 *
 * Streams: at most `maxStreams` at once (more are 503 with Retry-After), one shared
 * CheckpointWatch for all of them. A stream ends when its client goes away, and when its
 * server stops listening (checked every 250 ms while streams are open), so closing the
 * server is never held up by an open stream; the client reconnects elsewhere with
 * Last-Event-ID.
 * @module
 */
import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { assertInteger, typeError } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { CheckpointWatch } from './checkpoint-watch.ts';
import { errorResponse, type EventSink, type FollowResponse, type FollowSource, followPageResponse, followStream, parseFollowQuery } from './follow-handlers.ts';

/** Options of `followRouter`. */
export interface FollowRouterOptions {
  source: FollowSource;
  /** How often the shared watch reads the latest checkpoint while streams wait, ms (default 500). */
  pollMs?: number;
  /** Heartbeat period of idle streams, ms (default 15,000). */
  heartbeatMs?: number;
  /** Most open streams (default 1000). */
  maxStreams?: number;
  /** Told of a stream that ended on a fault (a store failure); its client reconnects. */
  onFault?: (error: unknown) => void;
}

/**
 * An express Router for the follow API.
 * @throws {TypeError|RangeError} for a bad option
 * @example app.use(followRouter({ source: service.log }))
 */
export function followRouter(options: FollowRouterOptions): express.Router {
  if (typeof options !== 'object' || options === null || typeof options.source?.readEntries !== 'function') typeError('options.source', 'FollowSource', options?.source);
  const maxStreams = options.maxStreams ?? 1000;
  assertInteger(maxStreams, 'options.maxStreams', 1, 100_000);
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  assertInteger(heartbeatMs, 'options.heartbeatMs', 10, 3_600_000);
  const watch = new CheckpointWatch(options.source, options.pollMs ?? 500);
  const streams = new Set<{ res: Response; end: () => void }>();
  let sweeper: NodeJS.Timeout | null = null;
  const sweep = (): void => {
    for (const s of streams) {
      const server = (s.res.req.socket as unknown as { server?: Server }).server;
      if (server !== undefined && !server.listening) s.end();
    }
    if (streams.size === 0 && sweeper !== null) {
      clearInterval(sweeper);
      sweeper = null;
    }
  };

  const router = express.Router();
  router.get('/v1/follow', (req: Request, res: Response, next: NextFunction) => {
    followPageResponse(options.source, req.query as Record<string, unknown>).then((r) => sendJson(res, r), next);
  });
  router.get('/v1/follow/stream', (req: Request, res: Response) => {
    let after: number | null;
    try {
      const lastEventId = req.headers['last-event-id'];
      ({ after } = parseFollowQuery(req.query as Record<string, unknown>, typeof lastEventId === 'string' ? lastEventId : undefined, true));
    } catch (e) {
      return sendJson(res, errorResponse(e as CanopyError));
    }
    if (streams.size >= maxStreams) {
      return sendJson(res, { status: 503, headers: { 'retry-after': '5', 'cache-control': 'no-cache' }, json: { error: { code: 'UNAVAILABLE', message: `${maxStreams} streams are open; retry later` } } });
    }
    res.status(200);
    res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    if (req.method === 'HEAD') {
      res.setHeader('cache-control', 'no-cache');
      return void res.end();
    }
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('x-accel-buffering', 'no');
    res.setHeader('x-content-type-options', 'nosniff');
    // The socket closes with the stream, so a stopping server is not kept waiting by it.
    res.setHeader('connection', 'close');
    res.flushHeaders();
    let closed = false;
    let drained: (() => void) | null = null;
    const stream = {
      res,
      end: () => {
        if (closed) return;
        closed = true;
        streams.delete(stream);
        drained?.();
        res.end();
      },
    };
    streams.add(stream);
    sweeper ??= setInterval(sweep, 250).unref();
    res.on('close', stream.end);
    const sink: EventSink = {
      get closed() {
        return closed;
      },
      write: (chunk) =>
        new Promise<void>((resolve) => {
          if (closed || res.write(chunk)) return resolve();
          drained = () => {
            drained = null;
            resolve();
          };
          res.once('drain', drained);
        }),
    };
    followStream(options.source, after, sink, { watch, heartbeatMs }).then(stream.end, (e: unknown) => {
      // Headers are sent: the fault can only be reported, and the stream ended.
      stream.end();
      options.onFault?.(e);
    });
  });
  return router;
}

function sendJson(res: Response, r: FollowResponse): void {
  res.status(r.status);
  res.setHeader('x-content-type-options', 'nosniff');
  for (const [name, value] of Object.entries(r.headers)) res.setHeader(name, value);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.send(JSON.stringify(r.json));
}
