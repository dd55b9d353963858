/**
 * The signed routes: submission by registered parties, party administration by the
 * accreditor, and the auditor's read of who submitted what. Authentication (who signed)
 * is done before a handler runs (registry-api.ts); a handler checks what that principal
 * may do, then appends.
 *
 * Who may submit what (`SUBMIT_PERMISSIONS`):
 *
 *     role        entry types via POST /v1/entries
 *     supplier    plot-attestation, lot-mint, transition
 *     publisher   dataset
 *     accreditor  — (party entries go through /v1/admin/parties, signed with the accreditor key)
 *     auditor     — (reads /v1/audit/submissions)
 *
 * Every failure leaves the log unchanged: a forbidden or malformed entry is refused before
 * `append`, and `append` itself is all or nothing. The auditor record of an acknowledged
 * request is written after the append; if that write fails the request still succeeds (the
 * entries are in the log and a retry would be refused as a duplicate) and the failure is
 * reported to the operator.
 * @module
 */
import type { EntryType, LogEntry, PartyRole } from '../log/entry.ts';
import type { AppendReceipt } from '../log/sequencer.ts';
import { ApiError } from './api-error.ts';
import type { Principal } from './authenticator.ts';
import type { RegistryContext, RouteHandler } from './context.ts';
import { isInputError } from './error-response.ts';
import { jsonResponse } from './http.ts';
import { MAX_SUBMISSION_PAGE } from './submission-records.ts';

/** Entry types each role may submit through POST /v1/entries. */
export const SUBMIT_PERMISSIONS: Readonly<Record<PartyRole, readonly EntryType[]>> = {
  supplier: ['plot-attestation', 'lot-mint', 'transition'],
  publisher: ['dataset'],
  accreditor: [],
  auditor: [],
};

/**
 * `POST /v1/entries` (signed by a party): appends 1..100 entries all or none.
 * @throws {ApiError} ROLE_FORBIDDEN for an entry type the party's role may not submit;
 *   ENTRY_MALFORMED for an entry the log finds malformed; the log's refusals (409/422)
 * @example await submitEntries(ctx, { body: { entries: [entry] }, principal, … }) // 201 { receipts }
 */
export const submitEntries: RouteHandler<unknown, unknown, { entries: LogEntry[] }> = async (ctx, { body, principal }) => {
  const party = requireParty(principal);
  const allowed = SUBMIT_PERMISSIONS[party.role as PartyRole] ?? [];
  body.entries.forEach((e, index) => {
    if (!allowed.includes(e.type)) {
      throw new ApiError('ROLE_FORBIDDEN', `a ${party.role} may not submit ${e.type} entries${allowed.length ? ` (only ${allowed.join(', ')})` : ''}`, { index });
    }
  });
  const receipts = await append(ctx, body.entries);
  await record(ctx, receipts, { keyId: party.partyId, kind: 'party', role: party.role });
  return jsonResponse(201, { receipts });
};

/**
 * `POST /v1/admin/parties` (signed by the accreditor): registers a party.
 * @throws {ApiError} the log's refusals: PARTY_EXISTS, KEY_IN_USE (409)
 * @example await addParty(ctx, { body: { partyId: 'mill-7', role: 'supplier', publicKey }, principal, … })
 */
export const addParty: RouteHandler<unknown, unknown, { partyId: string; role: PartyRole; publicKey: string }> = async (ctx, { body, principal }) => {
  const who = requireAccreditor(principal);
  const receipts = await append(ctx, [{ type: 'party-registration', version: 1, body: { partyId: body.partyId, role: body.role, publicKey: body.publicKey } }]);
  await record(ctx, receipts, { keyId: who.keyId, kind: 'accreditor', role: 'accreditor' });
  return jsonResponse(201, { receipts });
};

/**
 * `POST /v1/admin/parties/{id}/revoke` (signed by the accreditor): revokes a party.
 * @throws {ApiError} the log's refusals: PARTY_UNKNOWN, PARTY_REVOKED (409)
 * @example await revokeParty(ctx, { params: { id: 'mill-7' }, body: { reason: 'left the scheme' }, principal, … })
 */
export const revokeParty: RouteHandler<{ id: string }, unknown, { reason: string }> = async (ctx, { params, body, principal }) => {
  const who = requireAccreditor(principal);
  const receipts = await append(ctx, [{ type: 'party-revocation', version: 1, body: { partyId: params.id, reason: body.reason } }]);
  await record(ctx, receipts, { keyId: who.keyId, kind: 'accreditor', role: 'accreditor' });
  return jsonResponse(201, { receipts });
};

/**
 * `GET /v1/audit/submissions?start&end` (signed by an auditor): who submitted entries [start, end).
 * @throws {ApiError} ROLE_FORBIDDEN unless the party is an auditor; INVALID_QUERY for a range longer than a page
 * @example await auditSubmissions(ctx, { query: { start: 0, end: 10 }, principal, … })
 */
export const auditSubmissions: RouteHandler<unknown, { start: number; end?: number }> = async (ctx, { query, principal }) => {
  const party = requireParty(principal);
  if (party.role !== 'auditor') throw new ApiError('ROLE_FORBIDDEN', `only an auditor may read submission records, not a ${party.role}`);
  const { size } = await ctx.log.store.head();
  const end = query.end ?? Math.max(query.start, Math.min(query.start + MAX_SUBMISSION_PAGE, size));
  if (end < query.start || end - query.start > MAX_SUBMISSION_PAGE) throw new ApiError('INVALID_QUERY', `the range [${query.start}, ${end}) is not a page of at most ${MAX_SUBMISSION_PAGE} entries`);
  return jsonResponse(200, await ctx.submissions.read(query.start, end, size), { 'cache-control': 'no-store' });
};

function requireParty(principal: Principal | null): Extract<Principal, { kind: 'party' }>['party'] {
  // Invariant: party routes authenticate as 'party' before the handler runs.
  if (principal === null || principal.kind !== 'party') throw new ApiError('KEY_UNKNOWN', 'this route needs a request signed by a registered party');
  return principal.party;
}

function requireAccreditor(principal: Principal | null): Extract<Principal, { kind: 'accreditor' }> {
  if (principal === null || principal.kind !== 'accreditor') throw new ApiError('KEY_UNKNOWN', 'this route needs a request signed by the accreditor');
  return principal;
}

async function append(ctx: RegistryContext, entries: LogEntry[]): Promise<AppendReceipt[]> {
  try {
    return await ctx.log.append(entries);
  } catch (e) {
    // The log's own shape checks (canonical values, signal names, sizes) are bad input here.
    if (isInputError(e)) throw new ApiError('ENTRY_MALFORMED', e.message, { cause: e });
    throw e;
  }
}

async function record(ctx: RegistryContext, receipts: AppendReceipt[], who: { keyId: string; kind: 'party' | 'accreditor'; role: string }): Promise<void> {
  try {
    await ctx.submissions.record(receipts, who, ctx.now());
  } catch (e) {
    ctx.reportFault(e, `submission record of entries ${receipts[0]?.sequence}..${receipts[receipts.length - 1]?.sequence} by ${who.keyId} not written`);
  }
}
