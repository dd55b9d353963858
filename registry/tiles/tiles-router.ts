/**
 * The express side of serve-tiles.ts: a Router answering GET (and HEAD) for
 * `/tile/…`, `/canopy/checkpoints/…` and, if asked, `/checkpoint`, from a directory or a
 * store. Everything else passes to the next handler, so the router can sit in front of
 * the registry's own routes or serve a tiles directory alone:
 *
 *     app.use(tilesRouter({ source: storeResources(service.log.store) }));
 *     express().use(tilesRouter({ source: directoryResources('/srv/tiles'), checkpoint: true })).listen(8081);
 *
 * A source failure is passed to express's error handling (`next(error)`), so the
 * surrounding app answers it as it answers its own faults.
 * @module
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { typeError } from '../../core/assert.ts';
import { CHECKPOINT_FILE } from './tile-writer.ts';
import { HISTORY_PREFIX } from './checkpoint-history.ts';
import { type ResourceSource, serveResource } from './serve-tiles.ts';

/** Options of `tilesRouter`. */
export interface TilesRouterOptions {
  source: ResourceSource;
  /** Also answer `/checkpoint` (default false: the registry serves its own). */
  checkpoint?: boolean;
}

/**
 * An express Router for a log's static resources.
 * @throws {TypeError} if the source is missing
 * @example app.use(tilesRouter({ source: directoryResources(dir), checkpoint: true }))
 */
export function tilesRouter(options: TilesRouterOptions): express.Router {
  if (typeof options !== 'object' || options === null || typeof options.source?.read !== 'function') typeError('options.source', 'ResourceSource', options?.source);
  const router = express.Router();
  const handle = (req: Request, res: Response, next: NextFunction): void => {
    // req.path is the raw (undecoded) path; serveResource parses it strictly.
    const path = req.path.slice(1);
    const accept = req.headers['accept-encoding'];
    serveResource(path, options.source, { gzip: typeof accept === 'string' && /\bgzip\b/.test(accept) }).then((r) => {
      res.status(r.status);
      res.setHeader('x-content-type-options', 'nosniff');
      for (const [name, value] of Object.entries(r.headers)) res.setHeader(name, value);
      res.setHeader('content-length', String(r.body.byteLength));
      // Node sends no body for HEAD whatever is written.
      res.end(Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength));
    }, next);
  };
  router.get('/tile/*rest', handle);
  router.get(`/${HISTORY_PREFIX}*rest`, handle);
  if (options.checkpoint === true) router.get(`/${CHECKPOINT_FILE}`, handle);
  return router;
}
