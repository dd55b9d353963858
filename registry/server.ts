/**
 * The registry's HTTP server: express 5, and nothing of express outside this file. Every
 * route of the table (registry/api/routes.ts) is mounted through one `adapt()`, which turns
 * express's request into a framework-free `ApiRequest`, runs a handler, and writes its
 * `ApiResponse` back. The order of the chain:
 *
 *     rate limit (per client, 429)  →  body reader (raw bytes, size limit, 413)  →  route
 *     →  explorer page (`/`, `/explorer/*`, registry/explorer)  →  no route: 405 / 404
 *     →  error middleware (body reader failures; 500 otherwise)
 *
 * Bodies are read as raw bytes (never parsed by express), because a signed request signs
 * the exact bytes; registry-api.ts parses them. Responses carry no stack traces; every
 * request is logged with pino (method, route, status, time), faults with their error.
 *
 *     const service = await RegistryService.open({ … });
 *     const server = await startRegistryServer(service, { port: 8080, logger: pino() });
 *     console.log(server.url); …; await server.close();
 * @module
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { pino, type Logger } from 'pino';
import { assertInteger, assertString } from '../core/assert.ts';
import type { ApiRequest, ApiResponse } from './api/http.ts';
import type { RegistryApi } from './api/registry-api.ts';
import type { RegistryService } from './api/registry-service.ts';
import { explorerHandler } from './explorer/explorer-handler.ts';
import { withLogReadRoutes } from './tiles/log-read-routes.ts';

/** Default largest request body, bytes (an entry is at most 64 KiB: MAX_ENTRY_BYTES). */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** Options of `createRegistryApp`. */
export interface RegistryAppOptions {
  /** Largest body accepted, bytes (default 1 MiB); larger is 413. */
  bodyLimitBytes?: number;
  /** Request log (default: pino at level info on stdout). */
  logger?: Logger;
  /** The registry's note verifier key, announced by the explorer page at `/` (default none: the page asks for it). */
  registryKey?: string;
}

/** Options of `startRegistryServer`. */
export interface RegistryServerOptions extends RegistryAppOptions {
  /** TCP port; 0 picks a free one (default 0). */
  port?: number;
  /** Interface to listen on (default 127.0.0.1; "0.0.0.0" for every interface). */
  host?: string;
}

/** A listening registry server. */
export interface RunningRegistryServer {
  /** e.g. "http://127.0.0.1:41234" */
  url: string;
  server: Server;
  /** Stops accepting connections, ends idle ones, and resolves when the server has closed. */
  close(): Promise<void>;
}

type Adapted = (req: ApiRequest) => Promise<ApiResponse | null>;

/**
 * The one bridge from express to the framework-free handlers: builds the ApiRequest,
 * awaits the handler, and writes its response; a null response passes to the next layer.
 */
function adapt(handler: Adapted): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    handler(toApiRequest(req)).then(
      (response) => (response === null ? next() : send(res, response)),
      (e: unknown) => next(e),
    );
  };
}

function toApiRequest(req: Request): ApiRequest {
  const body = Buffer.isBuffer(req.body) ? new Uint8Array(req.body.buffer, req.body.byteOffset, req.body.byteLength) : req.method === 'POST' ? new Uint8Array(0) : null;
  return {
    method: req.method,
    target: req.originalUrl,
    params: { ...(req.params as Record<string, string>) },
    query: { ...(req.query as Record<string, unknown>) },
    headers: req.headers,
    body,
    client: req.socket.remoteAddress ?? 'unknown',
  };
}

function send(res: Response, response: ApiResponse): void {
  res.status(response.status);
  res.setHeader('x-content-type-options', 'nosniff');
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  if ('json' in response.body) {
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.send(JSON.stringify(response.body.json));
  } else {
    res.setHeader('content-type', response.body.contentType);
    res.send(response.body.text);
  }
}

/**
 * The express application of a registry API.
 * @throws {TypeError|RangeError} if an option is malformed
 * @example const app = createRegistryApp(service.api, { logger: pino({ level: 'silent' }) })
 */
export function createRegistryApp(api: RegistryApi, options: RegistryAppOptions = {}): express.Express {
  const limit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  assertInteger(limit, 'options.bodyLimitBytes', 1, 64 * 1024 * 1024);
  const logger = options.logger ?? pino();
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info({ method: req.method, route: (req.route as { path?: string } | undefined)?.path ?? null, path: req.path.slice(0, 200), status: res.statusCode, ms: Math.round(ms * 10) / 10, client: req.socket.remoteAddress }, 'request');
    });
    next();
  });
  app.use(adapt(async (req) => api.limit(req)));
  // No inflation: the signature covers the bytes as sent, so an encoded body is refused (415).
  const readBody = express.raw({ type: () => true, limit, inflate: false });
  for (const route of api.routes) {
    const handler = adapt((req) => api.dispatch(route, req));
    if (route.method === 'GET') app.get(route.path, handler);
    else app.post(route.path, readBody, handler);
  }
  app.use(adapt(explorerHandler({ registryKey: options.registryKey ?? null })));
  app.use(adapt(async (req) => api.unmatched(req)));
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    send(res, api.transportError(error, toApiRequest(req)));
  });
  return app;
}

/**
 * Starts an HTTP server for a registry service.
 * @throws {TypeError|RangeError} if an option is malformed; rejects if the port cannot be bound
 * @example const { url, close } = await startRegistryServer(service, { port: 0 })
 */
export async function startRegistryServer(service: RegistryService, options: RegistryServerOptions = {}): Promise<RunningRegistryServer> {
  const port = options.port ?? 0;
  assertInteger(port, 'options.port', 0, 65535);
  const host = options.host ?? '127.0.0.1';
  assertString(host, 'options.host', 255);
  const app = withLogReadRoutes(createRegistryApp(service.api, { registryKey: service.log.verifierKey, ...options }), service, options);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(s)));
    s.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
