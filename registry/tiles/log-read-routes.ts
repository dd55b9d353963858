/**
 * Puts the static read path (tiles-router.ts, served from the store) and the follow API
 * (registry/follow/follow-router.ts) in front of a registry's express app:
 *
 *     const app = withLogReadRoutes(createRegistryApp(service.api, options), service, options);
 *
 * The result is an outer app: the rate limit (the registry's own token buckets), the
 * tiles and follow routers, then the registry app for everything else. The registry app
 * ends in a catch-all 404, so routers added after it would never run; wrapping it keeps
 * registry/server.ts unchanged but for this one call. The tiles router does not answer
 * `/checkpoint`: the registry's route serves it.
 *
 * Requests to these routes are logged like the registry's own (method, route, status,
 * time), and a fault is a 500 with no detail, the error going to the log.
 * @module
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { pino, type Logger } from 'pino';
import { typeError } from '../../core/assert.ts';
import type { ApiRequest } from '../api/http.ts';
import type { RegistryApi } from '../api/registry-api.ts';
import type { RegistryLog } from '../log/registry-log.ts';
import { followRouter } from '../follow/follow-router.ts';
import { storeResources } from './serve-tiles.ts';
import { tilesRouter } from './tiles-router.ts';

/** What the routes need of a registry service. `RegistryService` is one. */
export interface LogReadService {
  log: RegistryLog;
  api: Pick<RegistryApi, 'limit'>;
}

/** Path prefixes the routes answer. */
const PREFIXES = ['/tile/', '/canopy/checkpoints/', '/v1/follow'];

/**
 * An app answering the tiles and follow routes, and passing everything else to `inner`.
 * @throws {TypeError} if the service is malformed
 * @example const app = withLogReadRoutes(createRegistryApp(service.api, options), service, options)
 */
export function withLogReadRoutes(inner: express.Express, service: LogReadService, options: { logger?: Logger } = {}): express.Express {
  if (typeof service !== 'object' || service === null || typeof service.log?.readEntries !== 'function' || typeof service.api?.limit !== 'function') typeError('service', 'RegistryService', service);
  const logger = options.logger ?? pino();
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!PREFIXES.some((p) => req.path.startsWith(p))) return next();
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info({ method: req.method, route: PREFIXES.find((p) => req.path.startsWith(p)), path: req.path.slice(0, 200), status: res.statusCode, ms: Math.round(ms * 10) / 10, client: req.socket.remoteAddress }, 'request');
    });
    const refused = service.api.limit(apiRequest(req));
    if (refused === null) return next();
    res.status(refused.status);
    for (const [name, value] of Object.entries(refused.headers ?? {})) res.setHeader(name, value);
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.send(JSON.stringify('json' in refused.body ? refused.body.json : { error: { code: 'RATE_LIMITED' } }));
  });
  app.use(tilesRouter({ source: storeResources(service.log.store) }));
  app.use(followRouter({ source: service.log, onFault: (e) => logger.error({ err: e }, 'follow stream failed') }));
  app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!PREFIXES.some((p) => req.path.startsWith(p))) return next(error);
    logger.error({ err: error, method: req.method, path: req.path.slice(0, 200) }, 'request failed');
    if (res.headersSent) return void res.end();
    res.status(500).setHeader('content-type', 'application/json; charset=utf-8');
    res.send(JSON.stringify({ error: { code: 'INTERNAL', message: 'internal error' } }));
  });
  app.use(inner);
  return app;
}

/** Just what the rate limiter reads. */
function apiRequest(req: Request): ApiRequest {
  return { method: req.method, target: req.originalUrl, params: {}, query: {}, headers: req.headers, body: null, client: req.socket.remoteAddress ?? 'unknown' };
}
