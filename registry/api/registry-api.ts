/**
 * The registry API without a web framework: how one request to one route of the table
 * (routes.ts) is answered. The server (registry/server.ts) calls these through its one
 * `adapt()`; tests may call them with plain `ApiRequest` objects.
 *
 * A request to a route goes through named steps; the first failure decides the answer,
 * and nothing before the handler changes anything:
 *
 *     1 authenticate  signed routes only (authenticator.ts)          → 401 / 403
 *                     (routes that append: the nonce only read here; recorded with the append)
 *     2 params        path parameters against the route's schema     → 400 INVALID_PARAMS
 *     3 query         query parameters (none allowed if no schema)   → 400 INVALID_QUERY
 *     4 body          application/json, UTF-8 JSON text, the schema  → 415 / 400 BODY_NOT_JSON / 400 INVALID_BODY
 *     5 handle        the route's handler                            → its answer, or error-response.ts
 *
 * The nonce of a request to a route that appends (`route.nonce === 'with-append'`) is
 * recorded in the append's transaction (authenticator.ts `authenticateForAppend`). Such a
 * route answers 2xx only after its append committed; any other outcome after
 * authentication (a 4xx from steps 2–5, a refusal, a fault) records the nonce on its own
 * (`settleNonce`) before the answer goes out, so a request is acted on at most once and a
 * refused one cannot be replayed later either.
 *
 * Before any route: the rate limit (`limit`, 429 RATE_LIMITED with Retry-After). After no
 * route matched: 405 METHOD_NOT_ALLOWED (with Allow) when the path exists under another
 * method, else 404 NOT_FOUND. Every error body is `{ error: { code, message } }`; a server
 * fault is reported through `onFault` and answered 500 INTERNAL without detail.
 * @module
 */
import * as z from 'zod';
import { NonceReplayedError } from '../log/nonce-replayed.ts';
import type { NonceClaim } from '../store/store.ts';
import { ApiError } from './api-error.ts';
import type { Principal } from './authenticator.ts';
import type { RegistryContext } from './context.ts';
import { errorResponse } from './error-response.ts';
import { type ApiRequest, type ApiResponse, headerValue, jsonResponse } from './http.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { Route } from './routes.ts';

/** Options of `RegistryApi`. */
export interface RegistryApiOptions {
  /** Per-client token buckets, or null for no limit. */
  rateLimiter?: RateLimiter | null;
  /** Called with every server fault (5xx) and the request that met it. */
  onFault?: (error: unknown, req: ApiRequest) => void;
}

const NO_QUERY = z.strictObject({});
const JSON_MEDIA_TYPE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/** Answers requests to the routes of a table. See the module comment. */
export class RegistryApi {
  readonly routes: readonly Route[];
  readonly #ctx: RegistryContext;
  readonly #limiter: RateLimiter | null;
  readonly #onFault: (error: unknown, req: ApiRequest) => void;
  // Compiled from the route table (never from input): path → matcher.
  readonly #matchers: { route: Route; pattern: RegExp }[];

  /**
   * @throws {TypeError} if ctx or routes is malformed
   * @example const api = new RegistryApi(ctx, ROUTES, { rateLimiter: new RateLimiter({ burst: 200, perSecond: 100 }) })
   */
  constructor(ctx: RegistryContext, routes: readonly Route[], options: RegistryApiOptions = {}) {
    if (typeof ctx !== 'object' || ctx === null) throw new TypeError(`"ctx" expected RegistryContext, got ${String(ctx)}`);
    if (!Array.isArray(routes)) throw new TypeError(`"routes" expected an array of routes, got ${String(routes)}`);
    this.#ctx = ctx;
    this.routes = routes;
    this.#limiter = options.rateLimiter ?? null;
    this.#onFault = options.onFault ?? (() => undefined);
    this.#matchers = routes.map((route) => ({ route, pattern: new RegExp(`^${route.path.split('/').map((seg: string) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}$`) }));
  }

  /**
   * Answers one request to `route` (steps 1–5 of the module comment). Never rejects.
   * @example const res = await api.dispatch(ROUTES[0], req)
   */
  async dispatch(route: Route, req: ApiRequest): Promise<ApiResponse> {
    // A claim still to be recorded: the request's nonce on a route that appends.
    let pending: NonceClaim | null = null;
    try {
      let principal: Principal | null = null;
      if (route.auth !== 'public') {
        const as = route.auth === 'accreditor' ? 'accreditor' : 'party';
        if (route.nonce === 'with-append') ({ principal, nonce: pending } = await this.#ctx.authenticator.authenticateForAppend(req, as));
        else principal = await this.#ctx.authenticator.authenticate(req, as);
      }
      const params = route.params === undefined ? {} : parse(route.params, req.params, 'INVALID_PARAMS', 'path parameter');
      const query = parse(route.query ?? NO_QUERY, req.query, 'INVALID_QUERY', 'query');
      const body = route.body === undefined ? undefined : parse(route.body, readJson(req), 'INVALID_BODY', 'body');
      const response = await route.handle(this.#ctx, { params, query, body, principal, nonce: pending });
      // Invariant of 'with-append' routes: a 2xx answer means the append carrying the claim committed.
      if (response.status >= 200 && response.status < 300) pending = null;
      else await this.#settle(pending, req);
      return response;
    } catch (e) {
      // The sequencer found the nonce recorded: there is nothing left to record.
      if (!(e instanceof NonceReplayedError)) await this.#settle(pending, req);
      return this.#fail(e, req);
    }
  }

  /**
   * Takes a token from the client's bucket: null to go on, or the 429 response.
   * @throws never
   * @example const refused = api.limit(req)
   */
  limit(req: ApiRequest): ApiResponse | null {
    if (this.#limiter === null) return null;
    const d = this.#limiter.take(req.client, this.#ctx.now());
    if (d.ok) return null;
    const e = new ApiError('RATE_LIMITED', `too many requests from ${req.client}; retry in ${d.retryAfterSeconds} s`);
    return jsonResponse(e.status, e.toBody(), { 'retry-after': String(d.retryAfterSeconds) });
  }

  /**
   * The answer to a request no route took: 405 with Allow if its path exists, else 404.
   * @throws never
   * @example api.unmatched({ ...req, method: 'DELETE', target: '/v1/entries' }).status // 405
   */
  unmatched(req: ApiRequest): ApiResponse {
    const path = req.target.split('?')[0]!;
    const methods = this.#matchers.filter((m) => m.pattern.test(path)).map((m) => m.route.method);
    if (methods.length > 0) {
      const allow = [...new Set(methods.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])))].join(', ');
      const e = new ApiError('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${path}; allowed: ${allow}`);
      return jsonResponse(e.status, e.toBody(), { allow });
    }
    const e = new ApiError('NOT_FOUND', `no route ${req.method} ${path.slice(0, 200)}`);
    return jsonResponse(e.status, e.toBody());
  }

  /**
   * The answer to a failure outside any handler (the body reader's): 413 for an oversize
   * body, 400 for an aborted or undecodable one, else 500.
   * @throws never
   * @example api.transportError({ type: 'entity.too.large', status: 413 }, req).status // 413
   */
  transportError(error: unknown, req: ApiRequest): ApiResponse {
    const e = error as { type?: unknown; status?: unknown; limit?: unknown } | null;
    if (e !== null && typeof e === 'object' && e.type === 'entity.too.large') {
      return this.#fail(new ApiError('BODY_TOO_LARGE', `the body exceeds the limit of ${String(e.limit)} bytes`), req);
    }
    if (e !== null && typeof e === 'object' && (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported')) {
      return this.#fail(new ApiError('UNSUPPORTED_MEDIA_TYPE', 'the body encoding is not supported; send identity-encoded UTF-8 JSON'), req);
    }
    if (e !== null && typeof e === 'object' && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      return this.#fail(new ApiError('BODY_NOT_JSON', 'the body could not be read'), req);
    }
    return this.#fail(error, req);
  }

  async #settle(claim: NonceClaim | null, req: ApiRequest): Promise<void> {
    if (claim === null) return;
    try {
      await this.#ctx.authenticator.settleNonce(claim);
    } catch (e) {
      // The answer is the request's own failure; the lost record is a fault to log.
      this.#onFault(e, req);
    }
  }

  #fail(e: unknown, req: ApiRequest): ApiResponse {
    const { response, fault } = errorResponse(e);
    if (fault) this.#onFault(e, req);
    return response;
  }
}

function readJson(req: ApiRequest): unknown {
  const type = headerValue(req.headers, 'content-type');
  if (type === undefined || !JSON_MEDIA_TYPE.test(type)) throw new ApiError('UNSUPPORTED_MEDIA_TYPE', `expected content-type application/json, got ${JSON.stringify(type ?? null)?.slice(0, 100)}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(req.body ?? new Uint8Array(0));
  } catch {
    throw new ApiError('BODY_NOT_JSON', 'the body is not valid UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ApiError('BODY_NOT_JSON', `the body is not JSON: ${(e as Error).message.slice(0, 200)}`);
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, code: 'INVALID_PARAMS' | 'INVALID_QUERY' | 'INVALID_BODY', what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join('.') : what}: ${i.message}`);
  const more = r.error.issues.length > 5 ? `; and ${r.error.issues.length - 5} more` : '';
  throw new ApiError(code, `${what} invalid: ${issues.join('; ')}${more}`.slice(0, 1000));
}
