/**
 * The signed routes: submission by registered parties, party administration and artifact
 * pinning by the accreditor, and the auditor's routes (who submitted what; witness
 * cosignatures of checkpoints). Authentication (who signed) is done before a handler runs
 * (registry-api.ts); a handler checks what that principal may do, then acts.
 *
 * Who may submit what (`SUBMIT_PERMISSIONS`):
 *
 *     role        entry types via POST /v1/entries
 *     supplier    plot-attestation, lot-mint, transition, capacity-issue
 *     publisher   dataset
 *     accreditor  — (party and artifacts entries go through /v1/admin/…, signed with the accreditor key)
 *     auditor     — (reads /v1/audit/submissions, cosigns checkpoints)
 *
 * Artifacts entries are the accreditor's: the accreditor decides which parties may submit
 * and, by the same authority, under which circuit keys their proofs count. (The registry
 * operator also appends the artifacts entry of its setup folder at start; see
 * registry-service.ts.) No party role may submit one, so a supplier cannot pin a key of its
 * own making.
 *
 * Every failure leaves the log unchanged: a forbidden or malformed entry is refused before
 * `append`, and `append` itself is all or nothing. The submitter record of each entry is
 * written by the store in the same transaction as the entry (submission-records.ts), and
 * so is the request's nonce on the routes that append (`input.nonce`, routes.ts): these
 * handlers answer 2xx only after that append committed.
 * @module
 */
import { CanopyError } from '../../core/errors.ts';
import { parseCheckpoint } from '../../core/note/checkpoint.ts';
import { cosignatureTimestamp, cosignatureVerifier, cosignerVerifierKey } from '../../core/note/cosignature.ts';
import { ed25519VerifierKey, noteVerifier } from '../../core/note/note-key.ts';
import { openNote } from '../../core/note/signed-note.ts';
import { canonicalJsonBytes } from '../../core/canonical-json.ts';
import { type ArtifactsEntry, type EntryType, type LogEntry, MAX_ENTRY_BYTES, MAX_PLOT_WINDOWS, type PartyRole } from '../log/entry.ts';
import type { AppendReceipt } from '../log/sequencer.ts';
import type { NonceClaim, Submitter } from '../store/store.ts';
import { ApiError } from './api-error.ts';
import type { Principal } from './authenticator.ts';
import type { RegistryContext, RouteHandler } from './context.ts';
import { isInputError } from './error-response.ts';
import { jsonResponse } from './http.ts';
import { MAX_SUBMISSION_PAGE, MAX_SUBMIT_ENTRIES } from './submission-records.ts';

/** How far in the future (by the registry clock) a cosignature's timestamp may lie, seconds. */
export const COSIGNATURE_MAX_FUTURE_SECONDS = 300;

/** Entry types each role may submit through POST /v1/entries. */
export const SUBMIT_PERMISSIONS: Readonly<Record<PartyRole, readonly EntryType[]>> = {
  supplier: ['plot-attestation', 'lot-mint', 'transition', 'capacity-issue'],
  publisher: ['dataset'],
  accreditor: [],
  auditor: [],
};

/**
 * `POST /v1/entries` (signed by a party): appends 1..100 entries all or none.
 * @throws {ApiError} ROLE_FORBIDDEN for an entry type the party's role may not submit;
 *   ENTRY_TOO_LARGE (413) for a plot attestation of more than MAX_PLOT_WINDOWS windows or an
 *   entry encoding to more than MAX_ENTRY_BYTES; ENTRY_MALFORMED for an entry the log finds
 *   malformed; the log's refusals (409/422)
 * @example await submitEntries(ctx, { body: { entries: [entry] }, principal, … }) // 201 { receipts }
 */
export const submitEntries: RouteHandler<unknown, unknown, { entries: LogEntry[] }> = async (ctx, { body, principal, nonce }) => {
  const party = requireParty(principal);
  const allowed = SUBMIT_PERMISSIONS[party.role as PartyRole] ?? [];
  body.entries.forEach((e, index) => {
    if (!allowed.includes(e.type)) {
      throw new ApiError('ROLE_FORBIDDEN', `a ${party.role} may not submit ${e.type} entries${allowed.length ? ` (only ${allowed.join(', ')})` : ''}`, { index });
    }
    checkEntrySize(e, index);
  });
  const receipts = await append(ctx, body.entries, { keyId: party.partyId, kind: 'party', role: party.role, submittedAt: Math.floor(ctx.now()) }, nonce);
  return jsonResponse(201, { receipts });
};

/**
 * `POST /v1/admin/parties` (signed by the accreditor): registers a party.
 * @throws {ApiError} the log's refusals: PARTY_EXISTS, KEY_IN_USE (409)
 * @example await addParty(ctx, { body: { partyId: 'mill-7', role: 'supplier', publicKey }, principal, … })
 */
export const addParty: RouteHandler<unknown, unknown, { partyId: string; role: PartyRole; publicKey: string }> = async (ctx, { body, principal, nonce }) => {
  const who = requireAccreditor(principal);
  const receipts = await append(ctx, [{ type: 'party-registration', version: 1, body: { partyId: body.partyId, role: body.role, publicKey: body.publicKey } }], accreditorSubmitter(ctx, who), nonce);
  return jsonResponse(201, { receipts });
};

/**
 * `POST /v1/admin/parties/{id}/revoke` (signed by the accreditor): revokes a party.
 * @throws {ApiError} the log's refusals: PARTY_UNKNOWN, PARTY_REVOKED (409)
 * @example await revokeParty(ctx, { params: { id: 'mill-7' }, body: { reason: 'left the scheme' }, principal, … })
 */
export const revokeParty: RouteHandler<{ id: string }, unknown, { reason: string }> = async (ctx, { params, body, principal, nonce }) => {
  const who = requireAccreditor(principal);
  const receipts = await append(ctx, [{ type: 'party-revocation', version: 1, body: { partyId: params.id, reason: body.reason } }], accreditorSubmitter(ctx, who), nonce);
  return jsonResponse(201, { receipts });
};

/**
 * `POST /v1/admin/artifacts` (signed by the accreditor): appends an artifacts entry pinning
 * circuit keys; from then on a proof under a key no artifacts entry pinned is refused.
 * @throws {ApiError} ENTRY_MALFORMED for a body the log finds malformed
 * @example await addArtifacts(ctx, { body: { profile: 'demo', circuits: { lot_mint: { vkeyHash, zkeyHash, r1csHash } } }, principal, … })
 */
export const addArtifacts: RouteHandler<unknown, unknown, ArtifactsEntry['body']> = async (ctx, { body, principal, nonce }) => {
  const who = requireAccreditor(principal);
  const receipts = await append(ctx, [{ type: 'artifacts', version: 1, body: { profile: body.profile, circuits: body.circuits } }], accreditorSubmitter(ctx, who), nonce);
  return jsonResponse(201, { receipts });
};

/**
 * `POST /v1/checkpoints/cosignatures` (signed by an auditor): a witness's cosignatures of a
 * checkpoint the registry signed. The auditor's cosigner key is derived from its
 * registered key (`cosignerVerifierKey(ed25519VerifierKey(partyId, publicKey))`); the note
 * must carry the registry's signature, at least one cosignature by that key, every
 * signature by a known key valid, no cosignature dated more than
 * COSIGNATURE_MAX_FUTURE_SECONDS ahead of the registry clock, and the text of a stored
 * checkpoint. The verified cosignatures are merged into the stored note (others' are
 * dropped), which GET /checkpoint and GET /v1/checkpoints then serve.
 * @throws {ApiError} ROLE_FORBIDDEN unless an auditor; NOTE_MALFORMED; COSIGNATURE_INVALID;
 *   NOT_FOUND if no stored checkpoint has the note's text
 * @example await cosignCheckpoint(ctx, { body: { note: cosigned }, principal, … }) // 200 SignedCheckpoint
 */
export const cosignCheckpoint: RouteHandler<unknown, unknown, { note: string }> = async (ctx, { body, principal }) => {
  const party = requireParty(principal);
  if (party.role !== 'auditor') throw new ApiError('ROLE_FORBIDDEN', `only an auditor may cosign checkpoints, not a ${party.role}`);
  const witnessKey = cosignerVerifierKey(ed25519VerifierKey(party.partyId, new Uint8Array(Buffer.from(party.publicKey, 'base64'))));
  const witness = cosignatureVerifier(witnessKey);
  try {
    const opened = openNote(body.note, [noteVerifier(ctx.log.verifierKey), witness]);
    parseCheckpoint(opened.text);
    const mine = opened.sigs.filter((sig) => sig.name === witness.name && sig.keyHash === witness.keyHash);
    if (mine.length === 0) throw new ApiError('COSIGNATURE_INVALID', `the note carries no cosignature by ${party.partyId}'s cosigner key ${witnessKey}`);
    const latestAllowed = Math.floor(ctx.now() / 1000) + COSIGNATURE_MAX_FUTURE_SECONDS;
    for (const sig of mine) {
      const t = cosignatureTimestamp(sig);
      if (t > latestAllowed) throw new ApiError('COSIGNATURE_INVALID', `the cosignature of ${party.partyId} is dated ${t}, more than ${COSIGNATURE_MAX_FUTURE_SECONDS} s after the registry clock`);
    }
    return jsonResponse(200, await ctx.log.checkpoints.addCosignatures(body.note, [witnessKey]));
  } catch (e) {
    throw cosignError(e);
  }
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

/**
 * Refuses, before the log sees it, an entry the tiles could not carry: its canonical bytes
 * must fit a C2SP entry bundle (MAX_ENTRY_BYTES), and a plot attestation holds at most
 * MAX_PLOT_WINDOWS windows, which guarantees the former for it (registry/log/entry.ts). The
 * log would refuse both as malformed; this names the reason and what to do.
 */
function checkEntrySize(e: LogEntry, index: number): void {
  if (e.type === 'plot-attestation' && e.body.windows.length > MAX_PLOT_WINDOWS) {
    throw new ApiError('ENTRY_TOO_LARGE', `a plot attestation holds at most ${MAX_PLOT_WINDOWS} windows, this one ${e.body.windows.length}: attest a plot of more windows in several plot-attestation entries (one request takes up to ${MAX_SUBMIT_ENTRIES}, all or none)`, { index });
  }
  const bytes = canonicalJsonBytes(e, 'entry').length;
  if (bytes > MAX_ENTRY_BYTES) throw new ApiError('ENTRY_TOO_LARGE', `the entry encodes to ${bytes} bytes, more than ${MAX_ENTRY_BYTES} (a C2SP entry bundle prefixes each entry with a uint16 length)`, { index });
}

function requireParty(principal: Principal | null): Extract<Principal, { kind: 'party' }>['party'] {
  // Invariant: party routes authenticate as 'party' before the handler runs.
  if (principal === null || principal.kind !== 'party') throw new ApiError('KEY_UNKNOWN', 'this route needs a request signed by a registered party');
  return principal.party;
}

function requireAccreditor(principal: Principal | null): Extract<Principal, { kind: 'accreditor' }> {
  if (principal === null || principal.kind !== 'accreditor') throw new ApiError('KEY_UNKNOWN', 'this route needs a request signed by the accreditor');
  return principal;
}

function accreditorSubmitter(ctx: RegistryContext, who: Extract<Principal, { kind: 'accreditor' }>): Submitter {
  return { keyId: who.keyId, kind: 'accreditor', role: 'accreditor', submittedAt: Math.floor(ctx.now()) };
}

// The note library's refusals, as API codes; anything else passes through unchanged.
function cosignError(e: unknown): unknown {
  if (!(e instanceof CanopyError)) return e;
  switch (e.code) {
    case 'NOTE_MALFORMED':
    case 'CHECKPOINT_MALFORMED':
      return new ApiError('NOTE_MALFORMED', e.message, { cause: e });
    case 'SIGNATURE_INVALID':
    case 'NOTE_UNVERIFIED':
      return new ApiError('COSIGNATURE_INVALID', e.message, { cause: e });
    default:
      return e;
  }
}

async function append(ctx: RegistryContext, entries: LogEntry[], submitter: Submitter, nonce: NonceClaim | null | undefined): Promise<AppendReceipt[]> {
  try {
    return await ctx.log.append(entries, { submitter, nonce: nonce ?? null });
  } catch (e) {
    // The log's own shape checks (canonical values, signal names, sizes) are bad input here.
    if (isInputError(e)) throw new ApiError('ENTRY_MALFORMED', e.message, { cause: e });
    throw e;
  }
}

