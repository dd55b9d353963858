/**
 * The importer's verifier as an HTTP API, framework-free: `VerifierApi.handle(request)`
 * answers `{ status, body }` (registry/api/http.ts shapes); express appears only in
 * server.ts. Routes:
 *
 *     POST /verify          body: schemas.ts `verifyBodySchema`
 *                           200 claim | 422 { code, check, message } (a check failed, or the
 *                           passport cannot be opened: check "opening")
 *     GET  /openapi.json    the OpenAPI 3.1 document
 *     GET  /healthz         { status: "ok", registries, keysDir }
 *
 * Other answers, all `{ code, message }`: 400 BODY_NOT_JSON, INVALID_BODY (naming the
 * member); 404 NOT_FOUND (no such route); 405 METHOD_NOT_ALLOWED (with Allow); 413
 * BODY_TOO_LARGE and 415 UNSUPPORTED_MEDIA_TYPE (server.ts and here); 502
 * REGISTRY_UNAVAILABLE (the registry did not answer, or answered 5xx); 503
 * REGISTRY_UNKNOWN (the policy pins the passport's registry but no URL is configured for
 * it); 500 INTERNAL (the message is "internal error"; the log has the cause). No answer
 * carries a stack trace, and no secret of a request is logged.
 * @module
 */
import { CanopyError } from '../../core/errors.ts';
import { FIELD_ORDER } from '../../core/field.ts';
import type { ApiRequest, ApiResponse } from '../../registry/api/http.ts';
import { jsonResponse } from '../../registry/api/http.ts';
import { ClaimRejectedError } from '../claim-rejected.ts';
import type { ImporterPolicy } from '../importer-policy.ts';
import { openPassport } from '../passport-input.ts';
import { isRegistryUnavailable, type VerifierRegistry, verifierRegistry } from '../verifier-registry.ts';
import { VerifierCache, verifyLotPassport } from '../verify-lot-passport.ts';
import { verifierOpenApiDocument } from './openapi.ts';
import { type VerifyBody, verifyBodySchema } from './schemas.ts';

/** What the API logs through (pino's `Logger` fits). */
export interface VerifierLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Options of `VerifierApi`. */
export interface VerifierApiOptions {
  policy: ImporterPolicy;
  /** One registry URL for every passport; when absent, the policy's URL for the passport's origin. */
  registryUrl?: string | null;
  /** Makes the client of a registry URL (default: `RegistryClient`). */
  registryFor?: (url: string) => VerifierRegistry;
  log?: VerifierLog;
  now?: () => Date;
}

const silent: VerifierLog = { info: () => {}, error: () => {} };

function error(status: number, code: string, message: string, headers?: Record<string, string>): ApiResponse {
  return jsonResponse(status, { code, message }, headers);
}

/** The paths the API serves, with their methods. */
export const VERIFIER_ROUTES: Readonly<Record<string, readonly string[]>> = {
  '/verify': ['POST'],
  '/openapi.json': ['GET', 'HEAD'],
  '/healthz': ['GET', 'HEAD'],
};

/** The verifier API (module comment). One policy, one cache of verified keys and dataset lists. */
export class VerifierApi {
  readonly #policy: ImporterPolicy;
  readonly #registryUrl: string | null;
  readonly #registryFor: (url: string) => VerifierRegistry;
  readonly #clients = new Map<string, VerifierRegistry>();
  readonly #cache: VerifierCache;
  readonly #log: VerifierLog;
  readonly #now: () => Date;

  /**
   * @throws {TypeError} if options are missing
   * @example new VerifierApi({ policy: await readImporterPolicy('policy.json') })
   */
  constructor(options: VerifierApiOptions) {
    if (typeof options !== 'object' || options === null || typeof options.policy !== 'object') throw new TypeError('"options.policy" expected an ImporterPolicy');
    this.#policy = options.policy;
    this.#registryUrl = options.registryUrl ?? null;
    this.#registryFor = options.registryFor ?? ((url) => verifierRegistry(url));
    this.#cache = new VerifierCache(options.policy);
    this.#log = options.log ?? silent;
    this.#now = options.now ?? (() => new Date());
  }

  /**
   * Answers one request.
   * @throws never: every failure is a response (500 INTERNAL for a fault, logged)
   * @example await api.handle({ method: 'POST', target: '/verify', body, headers: { 'content-type': 'application/json' }, … })
   */
  async handle(req: ApiRequest): Promise<ApiResponse> {
    const path = req.target.split('?')[0]!;
    const methods = Object.hasOwn(VERIFIER_ROUTES, path) ? VERIFIER_ROUTES[path]! : undefined;
    if (methods === undefined) return error(404, 'NOT_FOUND', `no route ${req.method} ${path.slice(0, 100)}`);
    if (!methods.includes(req.method)) return error(405, 'METHOD_NOT_ALLOWED', `${path} answers ${methods.join(', ')}`, { allow: methods.join(', ') });
    try {
      if (path === '/openapi.json') return jsonResponse(200, verifierOpenApiDocument());
      if (path === '/healthz') return jsonResponse(200, { status: 'ok', registries: this.#policy.registries.map((r) => r.origin), keysDir: this.#policy.artifacts.keysDir !== null });
      return await this.#verify(req);
    } catch (e) {
      this.#log.error({ err: e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : String(e) }, 'verifier fault');
      return error(500, 'INTERNAL', 'internal error');
    }
  }

  async #verify(req: ApiRequest): Promise<ApiResponse> {
    const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') return error(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(req.body ?? new Uint8Array(0)));
    } catch {
      return error(400, 'BODY_NOT_JSON', 'the body is not UTF-8 JSON text');
    }
    const parsed = verifyBodySchema.safeParse(json);
    if (!parsed.success) return error(400, 'INVALID_BODY', bodyIssue(json, parsed.error.issues));
    const body: VerifyBody = parsed.data;
    const ownerSecret = body.ownerSecret === undefined ? undefined : BigInt(body.ownerSecret);
    if (ownerSecret !== undefined && ownerSecret >= FIELD_ORDER) return error(400, 'INVALID_BODY', '"ownerSecret": expected a field element below r');

    let passportBytes: Uint8Array;
    let key: Uint8Array | null = null;
    if ('passport' in body) {
      if (!body.passport.startsWith('{')) return error(400, 'INVALID_BODY', '"passport": expected the passport JSON text; send an encrypted passport as "encryptedPassport" with its "recipientKey"');
      passportBytes = new TextEncoder().encode(body.passport);
    } else {
      const blob = canonicalBase64(body.encryptedPassport);
      key = canonicalBase64(body.recipientKey);
      if (blob === null) return error(400, 'INVALID_BODY', '"encryptedPassport": expected canonical padded base64');
      if (key === null || key.length !== 32) return error(400, 'INVALID_BODY', '"recipientKey": expected canonical base64 of 32 bytes');
      passportBytes = blob;
    }
    const started = performance.now();
    try {
      const { passport } = openPassport(passportBytes, key);
      const url = this.#registryUrl ?? this.#policy.registries.find((r) => r.origin === passport.registry.origin)?.url ?? null;
      if (url === null) {
        if (!this.#policy.registries.some((r) => r.origin === passport.registry.origin)) {
          throw new ClaimRejectedError('checkpoint-signature', `the passport names registry ${JSON.stringify(passport.registry.origin)}, which the policy does not pin`);
        }
        return error(503, 'REGISTRY_UNKNOWN', `the policy pins registry ${JSON.stringify(passport.registry.origin)} but gives no URL for it, and the verifier was started without --registry`);
      }
      const claim = await verifyLotPassport(passport, { registry: this.#client(url), policy: this.#policy, cache: this.#cache, ...(ownerSecret !== undefined ? { ownerSecret } : {}), now: this.#now });
      this.#log.info({ outcome: 'accepted', origin: claim.registry.origin, sequence: claim.registry.sequence, ms: Math.round(performance.now() - started) }, 'verify');
      return jsonResponse(200, claim);
    } catch (e) {
      if (e instanceof ClaimRejectedError) {
        this.#log.info({ outcome: 'rejected', check: e.check, ms: Math.round(performance.now() - started) }, 'verify');
        return jsonResponse(422, { code: e.code, check: e.check, message: e.message });
      }
      if (e instanceof CanopyError && (e.code === 'PASSPORT_MALFORMED' || e.code === 'PASSPORT_UNDECRYPTABLE')) {
        this.#log.info({ outcome: 'rejected', check: 'opening', code: e.code }, 'verify');
        return jsonResponse(422, { code: e.code, check: 'opening', message: e.message });
      }
      if (isRegistryUnavailable(e)) {
        this.#log.info({ outcome: 'registry-unavailable', reason: (e as Error).message.slice(0, 200) }, 'verify');
        return error(502, 'REGISTRY_UNAVAILABLE', 'the registry did not answer, or answered with a server error; retry later');
      }
      throw e;
    }
  }

  #client(url: string): VerifierRegistry {
    let client = this.#clients.get(url);
    if (client === undefined) this.#clients.set(url, (client = this.#registryFor(url)));
    return client;
  }
}

function canonicalBase64(text: string): Uint8Array | null {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? new Uint8Array(bytes) : null;
}

/** The first issue, naming the member; for a body that matches neither form, says so. */
function bodyIssue(json: unknown, issues: readonly { path: readonly PropertyKey[]; message: string; code: string }[]): string {
  const issue = issues[0]!;
  if (issue.code === 'invalid_union' && typeof json === 'object' && json !== null && !Array.isArray(json)) {
    const keys = Object.keys(json);
    const form = keys.includes('passport') ? verifyBodySchema.options[0] : keys.includes('encryptedPassport') ? verifyBodySchema.options[1] : null;
    const inner = form?.safeParse(json);
    if (inner !== undefined && !inner.success) return describeIssue(inner.error.issues[0]!);
    return 'expected { passport } or { encryptedPassport, recipientKey }, each with an optional ownerSecret';
  }
  return describeIssue(issue);
}

function describeIssue(issue: { path: readonly PropertyKey[]; message: string }): string {
  const member = issue.path.map(String).join('.');
  return member === '' ? issue.message : `"${member}": ${issue.message}`;
}
