/**
 * The verifier's HTTP server: express 5, and nothing of express outside this file. Every
 * request goes through one `adapt()` into the framework-free `VerifierApi` (verifier-api.ts):
 *
 *     request log (pino)  →  body reader (raw bytes, size limit → 413)  →  VerifierApi.handle
 *     →  error middleware (body reader failures: 413, 400; anything else 500, no stack)
 *
 * The log line of a request has method, path, status and time, never the body: bodies
 * carry bearer passports and secrets. The server holds snarkjs's curve while it runs
 * (`withCurves`), so proofs verify in milliseconds rather than seconds.
 *
 *     const { url, close } = await startVerifierServer(new VerifierApi({ policy }), { port: 8090 });
 * @module
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { pino, type Logger } from 'pino';
import { assertInteger, assertString } from '../../core/assert.ts';
import { withCurves } from '../../circuits/toolchain/snarkjs.ts';
import type { ApiRequest, ApiResponse } from '../../registry/api/http.ts';
import type { VerifierApi } from './verifier-api.ts';

/** Default largest request body: an encrypted passport in base64 and a key fit in 8 KiB. */
export const VERIFIER_BODY_LIMIT_BYTES = 16 * 1024;

/** Options of `startVerifierServer`. */
export interface VerifierServerOptions {
  /** TCP port; 0 picks a free one (default 0). */
  port?: number;
  /** Interface (default 127.0.0.1). */
  host?: string;
  /** Largest body, bytes (default 16 KiB); larger is 413. */
  bodyLimitBytes?: number;
  /** Request log (default: pino at info on stdout). */
  logger?: Logger;
}

/** A listening verifier server. */
export interface RunningVerifierServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

function toApiRequest(req: Request): ApiRequest {
  const body = Buffer.isBuffer(req.body) ? new Uint8Array(req.body.buffer, req.body.byteOffset, req.body.byteLength) : req.method === 'POST' ? new Uint8Array(0) : null;
  return { method: req.method, target: req.originalUrl, params: {}, query: {}, headers: req.headers, body, client: req.socket.remoteAddress ?? 'unknown' };
}

function send(res: Response, response: ApiResponse): void {
  res.status(response.status);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('cache-control', 'no-store');
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  if ('json' in response.body) {
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.send(JSON.stringify(response.body.json));
  } else {
    res.setHeader('content-type', response.body.contentType);
    res.send(response.body.text);
  }
}

/** The one bridge from express to the framework-free API. */
function adapt(handle: (req: ApiRequest) => Promise<ApiResponse>): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    handle(toApiRequest(req)).then((response) => send(res, response), next);
  };
}

/**
 * The express application of a verifier API.
 * @throws {TypeError|RangeError} if an option is malformed
 * @example const app = createVerifierApp(api, { logger: pino({ level: 'silent' }) })
 */
export function createVerifierApp(api: VerifierApi, options: Omit<VerifierServerOptions, 'port' | 'host'> = {}): express.Express {
  const limit = options.bodyLimitBytes ?? VERIFIER_BODY_LIMIT_BYTES;
  assertInteger(limit, 'options.bodyLimitBytes', 1024, 1024 * 1024);
  const logger = options.logger ?? pino();
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info({ method: req.method, path: req.path.slice(0, 200), status: res.statusCode, ms: Math.round(ms * 10) / 10, client: req.socket.remoteAddress }, 'request');
    });
    next();
  });
  app.use(express.raw({ type: () => true, limit, inflate: false }));
  app.use(adapt((req) => api.handle(req)));
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = error as { type?: string; status?: number };
    if (e?.type === 'entity.too.large') return send(res, { status: 413, body: { json: { code: 'BODY_TOO_LARGE', message: `the body exceeds ${limit} bytes` } } });
    if (e?.type === 'encoding.unsupported') return send(res, { status: 415, body: { json: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'compressed or non-UTF-8 bodies are not accepted' } } });
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return send(res, { status: 400, body: { json: { code: 'INVALID_BODY', message: 'the body could not be read' } } });
    logger.error({ err: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error) }, 'verifier server fault');
    send(res, { status: 500, body: { json: { code: 'INTERNAL', message: 'internal error' } } });
  });
  return app;
}

/**
 * Starts an HTTP server for a verifier API.
 * @throws {TypeError|RangeError} if an option is malformed; rejects if the port cannot be bound
 * @example const { url, close } = await startVerifierServer(api, { port: 0 })
 */
export async function startVerifierServer(api: VerifierApi, options: VerifierServerOptions = {}): Promise<RunningVerifierServer> {
  const port = options.port ?? 0;
  assertInteger(port, 'options.port', 0, 65535);
  const host = options.host ?? '127.0.0.1';
  assertString(host, 'options.host', 255);
  const app = createVerifierApp(api, options);
  // A Groth16 verification builds snarkjs's BN254 curve first (seconds) unless a caller holds
  // one: the server holds it from start to close, so each request pays only the pairing
  // check (tens of ms). The curve is built by the first verification, not here.
  let releaseCurve: () => void = () => undefined;
  const curveHeld = withCurves(() => new Promise<void>((resolve) => (releaseCurve = resolve)));
  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(s)));
      s.once('error', reject);
    });
  } catch (e) {
    releaseCurve();
    await curveHeld;
    throw e;
  }
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    server,
    close: async () => {
      try {
        await new Promise<void>((resolve, reject) => {
          server.close((e) => (e ? reject(e) : resolve()));
          server.closeIdleConnections();
        });
      } finally {
        releaseCurve();
        await curveHeld;
      }
    },
  };
}
