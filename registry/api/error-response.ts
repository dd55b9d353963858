/**
 * Turns anything a handler throws into an HTTP response, keeping the three kinds of
 * failure apart (STYLE rule 7):
 *
 *     thrown                                         status  code
 *     ApiError                                       its own its own
 *     EntryRejectedError (the log refused an entry)  409/422 the reason, with "index"
 *     NonceReplayedError (the append found the nonce) 401    NONCE_REPLAYED
 *     TypeError/RangeError "\"title\" expected …"     400     INVALID_INPUT (bad input the log named)
 *     CanopyError NOT_FOUND                          404     NOT_FOUND
 *     CanopyError STORE_CONFLICT (retries used up)   503     UNAVAILABLE
 *     VerifierOverloadedError                        503     UNAVAILABLE
 *     anything else                                  500     INTERNAL, message "internal error"
 *
 * A TypeError or RangeError counts as bad input only when it has the message format of
 * core/assert.ts; any other (a bug such as reading a property of undefined) is a 500, so
 * internals never reach a client as if they were its fault. A 500 body carries no message
 * beyond "internal error" and never a stack; the caller logs the error itself.
 * @module
 */
import { CanopyError } from '../../core/errors.ts';
import { NonceReplayedError } from '../log/nonce-replayed.ts';
import { EntryRejectedError } from '../log/rejection.ts';
import { VerifierOverloadedError } from '../proof-verifier-pool.ts';
import { ApiError, rejectionStatus } from './api-error.ts';
import { type ApiResponse, jsonResponse } from './http.ts';

// core/assert.ts writes `"title" expected X, got Y`.
const ASSERT_MESSAGE = /^"[^"\n]{1,200}" expected /;

/**
 * Whether `e` is bad input reported by core/assert.ts (a 400, not a bug).
 * @example isInputError(new RangeError('"size" expected integer in [1, 3], got 9')) // true
 */
export function isInputError(e: unknown): e is TypeError | RangeError {
  return (e instanceof TypeError || e instanceof RangeError) && ASSERT_MESSAGE.test(e.message);
}

/**
 * The response for a thrown value, and whether it was a server fault (to be logged).
 * @throws never
 * @example const { response, fault } = errorResponse(e)
 */
export function errorResponse(e: unknown): { response: ApiResponse; fault: boolean } {
  const api = toApiError(e);
  const headers: Record<string, string> = {};
  if (api.status === 503) headers['retry-after'] = '1';
  return { response: jsonResponse(api.status, api.toBody(), Object.keys(headers).length ? headers : undefined), fault: api.status >= 500 };
}

/**
 * The ApiError a thrown value maps to (see the module table).
 * @throws never
 * @example toApiError(new CanopyError('NOT_FOUND', 'no checkpoint of size 9')).status // 404
 */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof EntryRejectedError) return new ApiError(e.reason, e.message, { status: rejectionStatus(e.reason), index: e.index });
  if (e instanceof NonceReplayedError) return new ApiError('NONCE_REPLAYED', e.message);
  if (isInputError(e)) return new ApiError('INVALID_INPUT', e.message);
  if (e instanceof CanopyError && e.code === 'NOT_FOUND') return new ApiError('NOT_FOUND', e.message);
  if (e instanceof CanopyError && e.code === 'STORE_CONFLICT') return new ApiError('UNAVAILABLE', 'the store is busy; retry');
  if (e instanceof VerifierOverloadedError) return new ApiError('UNAVAILABLE', e.message);
  return new ApiError('INTERNAL', 'internal error', { cause: e });
}
