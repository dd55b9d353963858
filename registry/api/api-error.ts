/**
 * The errors of the registry's HTTP API: every refusal is a 4xx (or 5xx) whose body is
 *
 *     { "error": { "code": "NONCE_REPLAYED", "message": "nonce … of key mill-7 was already used" } }
 *
 * and, for an entry the log refused, `"index"`: the entry's position in the request.
 * Codes are stable and listed in `API_ERRORS` with their status; the log's refusal reasons
 * (registry/log/rejection.ts `REJECT_REASONS`) are codes too, with the status
 * `rejectionStatus` gives them. docs/registry-api.md prints the table.
 *
 * These are HTTP-level outcomes, so they have their own class rather than codes of the
 * core's `CanopyError`; the client (registry/client.ts) throws the same class with the
 * server's code, so a caller handles a refusal the same way on both sides.
 * @module
 */
import { REJECT_REASONS, type RejectReason } from '../log/rejection.ts';

/** Every API error code that is not a log refusal reason, with its status and meaning. */
export const API_ERRORS = {
  INVALID_QUERY: [400, 'a query parameter is missing, repeated, unknown or malformed'],
  INVALID_PARAMS: [400, 'a path parameter is malformed'],
  BODY_NOT_JSON: [400, 'the body is not UTF-8 JSON text'],
  INVALID_BODY: [400, 'the body does not match the route schema'],
  ENTRY_MALFORMED: [400, 'an entry breaks a rule of the log format (registry/log/entry.ts)'],
  INVALID_INPUT: [400, 'an argument is out of range for the log (e.g. a size the log has not reached)'],
  NOTE_MALFORMED: [400, 'the checkpoint note is not a well-formed signed note carrying a checkpoint'],
  AUTH_MISSING: [401, 'a signed-request header is missing'],
  AUTH_MALFORMED: [401, 'a signed-request header is malformed'],
  TIMESTAMP_STALE: [401, 'the request timestamp is more than the allowed window away from the server clock'],
  SIGNATURE_INVALID: [401, 'the signature does not verify under the key named by Canopy-Key-Id'],
  NONCE_REPLAYED: [401, 'the nonce was already used by this key within the window'],
  KEY_UNKNOWN: [403, 'no registered party (or accreditor) has this key id'],
  KEY_REVOKED: [403, 'the party was revoked'],
  ROLE_FORBIDDEN: [403, 'the party’s role may not do this'],
  ADMIN_DISABLED: [403, 'the server was started without an accreditor key'],
  NOT_FOUND: [404, 'no such route, entry, checkpoint or party'],
  METHOD_NOT_ALLOWED: [405, 'the path exists but not with this method'],
  BODY_TOO_LARGE: [413, 'the body exceeds the size limit'],
  ENTRY_TOO_LARGE: [413, 'an entry is larger than the log takes: more than 40 windows in a plot attestation, or a canonical encoding above 65,535 bytes (a C2SP entry bundle’s bound)'],
  UNSUPPORTED_MEDIA_TYPE: [415, 'a body must be sent as application/json'],
  COSIGNATURE_INVALID: [422, 'the note carries no valid registry signature, no cosignature by the auditor, a signature that fails, or a cosignature dated in the future'],
  RATE_LIMITED: [429, 'too many requests from this client; retry after the Retry-After seconds'],
  INTERNAL: [500, 'the server failed; nothing was acknowledged'],
  UNAVAILABLE: [503, 'the server is overloaded or shutting down; retry later'],
} as const satisfies Record<string, readonly [number, string]>;

/** An API error code (not a refusal reason). */
export type ApiErrorCode = keyof typeof API_ERRORS;

/** Refusal reasons that depend on the log's state (the same entry may be fine elsewhere): 409. */
export const STATE_REJECT_REASONS: readonly RejectReason[] = [
  'ROOT_NOT_PUBLISHED',
  'DATASET_UNKNOWN',
  'DATASET_EXISTS',
  'NULLIFIER_SPENT',
  'PARTY_EXISTS',
  'KEY_IN_USE',
  'PARTY_UNKNOWN',
  'PARTY_REVOKED',
  'TREE_FULL',
];

/**
 * The status of a refusal reason: 409 for the state-dependent ones, 422 for an entry that
 * this registry will not accept as it stands (PROOF_INVALID, NULLIFIER_REPEATED,
 * WINDOWS_INCONSISTENT, PARAMETER_NOT_ALLOWED: a parameter outside the public tables, or a
 * proof under a key no artifacts entry pinned).
 * @throws {RangeError} if `reason` is not a REJECT_REASONS key
 * @example rejectionStatus('PROOF_INVALID') // 422
 */
export function rejectionStatus(reason: RejectReason): 409 | 422 {
  if (!Object.prototype.hasOwnProperty.call(REJECT_REASONS, reason)) throw new RangeError(`"reason" expected a REJECT_REASONS key, got ${JSON.stringify(reason)}`);
  return STATE_REJECT_REASONS.includes(reason) ? 409 : 422;
}

/** The JSON body of every error response. */
export interface ApiErrorBody {
  error: { code: string; message: string; index?: number };
}

/** An HTTP error with a stable code: what the server answers and what the client throws. */
export class ApiError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** An `API_ERRORS` code or a refusal reason. */
  readonly code: string;
  /** For a refused entry, its index in the request. */
  readonly index: number | undefined;

  /**
   * @param code - an API_ERRORS code (its status is implied) or, with `status`, any code
   * @param message - what was wrong, quoting the value (never secrets, never a stack)
   * @throws {RangeError} if code is unknown and no status is given
   * @example throw new ApiError('NONCE_REPLAYED', `nonce ${nonce} was already used`)
   */
  constructor(code: string, message: string, options: { status?: number; index?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const known = Object.prototype.hasOwnProperty.call(API_ERRORS, code) ? API_ERRORS[code as ApiErrorCode][0] : undefined;
    const status = options.status ?? known;
    if (status === undefined) throw new RangeError(`"code" expected an API_ERRORS code, got ${JSON.stringify(code)}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.index = options.index;
  }

  /**
   * The response body.
   * @example new ApiError('NOT_FOUND', 'no entry 9').toBody() // { error: { code: 'NOT_FOUND', message: 'no entry 9' } }
   */
  toBody(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.index === undefined ? {} : { index: this.index }) } };
  }
}
