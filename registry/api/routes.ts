/**
 * The one route table of the registry API. The server mounts exactly these routes
 * (registry/server.ts) and the OpenAPI document lists exactly these (openapi.ts), so
 * what is served and what is documented are the same list; a test walks the express
 * router and the document to hold them equal.
 *
 *     method path                                  auth         answers
 *     GET    /checkpoint                           public       latest signed checkpoint, text/plain
 *     GET    /v1/checkpoints?from&limit            public       checkpoint history (published roots)
 *     GET    /v1/entries?start&end                 public       a page of entries
 *     GET    /v1/entries/:seq                      public       one entry
 *     GET    /v1/proofs/inclusion?index&size       public       RFC 9162 inclusion proof
 *     GET    /v1/proofs/consistency?old&size       public       RFC 9162 consistency proof
 *     GET    /v1/trees/:tree/proof?leafIndex&size  public       Poseidon proof in the lots/plots tree
 *     GET    /v1/trees/:tree/leaves/:value         public       where a leaf value is, which entry appended it
 *     GET    /v1/nullifiers/:value                 public       whether a nullifier is spent, by which entry
 *     GET    /v1/roots                             public       roots of the latest checkpoint, tree depths
 *     GET    /v1/datasets/:root                    public       the dataset entry registering a root
 *     GET    /v1/artifacts                         public       accepted circuit keys
 *     GET    /v1/parties/:id                       public       a registered party
 *     GET    /v1/witnesses                         public       cosigner keys of the active auditors
 *     GET    /v1/registry-key                      public       the note verifier key (trust on first use only)
 *     GET    /openapi.json                         public       this table as OpenAPI 3.1
 *     GET    /healthz                              public       liveness
 *     POST   /v1/entries                           party        submit entries
 *     POST   /v1/admin/parties                     accreditor   register a party
 *     POST   /v1/admin/parties/:id/revoke          accreditor   revoke a party
 *     POST   /v1/admin/artifacts                   accreditor   pin circuit artifacts
 *     GET    /v1/audit/submissions?start&end       auditor      who submitted what
 *     POST   /v1/checkpoints/cosignatures          auditor      add a witness's cosignatures
 *
 * Paths use express's `:name` syntax; openapi.ts rewrites them to `{name}`. The tiles,
 * checkpoint history and follow routes are served in front of this table
 * (registry/tiles/log-read-routes.ts) and documented beside it (log-read-openapi.ts).
 * @module
 */
import type * as z from 'zod';
import type { RouteHandler } from './context.ts';
import {
  checkpointHistory,
  checkpointText,
  consistencyProof,
  datasetRecord,
  entryPage,
  health,
  inclusionProof,
  nullifierStatus,
  oneEntry,
  openApi,
  partyRecord,
  publishedArtifacts,
  publishedRoots,
  registryKey,
  treeLeaf,
  treeProof,
  witnessList,
} from './read-handlers.ts';
import * as s from './schemas.ts';
import { addArtifacts, addParty, auditSubmissions, cosignCheckpoint, revokeParty, submitEntries } from './write-handlers.ts';

/** Who may call a route: anyone, a registered party, the accreditor, or a party with the auditor role. */
export type RouteAuth = 'public' | 'party' | 'accreditor' | 'auditor';

/** One route: how it is matched, validated, documented and answered. */
export interface Route {
  method: 'GET' | 'POST';
  /** Express path syntax, e.g. "/v1/entries/:seq". */
  path: string;
  operationId: string;
  summary: string;
  tag: 'log' | 'proofs' | 'registry' | 'write' | 'admin' | 'audit' | 'service';
  auth: RouteAuth;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** The success response: a JSON schema, or a text media type. */
  response: { status: number; description: string } & ({ schema: z.ZodType } | { text: string });
  /** Error codes the route may answer besides the common ones (documented per route). */
  errors: readonly string[];
  /**
   * 'with-append': the handler appends to the log and passes the request's nonce claim
   * (`input.nonce`) to `log.append`, which records it in the append's transaction; the
   * route answers 2xx only after that append committed (registry-api.ts records the nonce
   * on its own otherwise). Absent: the authenticator records the nonce before the handler.
   */
  nonce?: 'with-append';
  // Handlers are typed by their own input; the table erases it after validation.
  handle: RouteHandler<any, any, any>;
}

const REFUSALS = ['ROLE_FORBIDDEN', 'ENTRY_TOO_LARGE', 'ENTRY_MALFORMED', 'PROOF_INVALID', 'NULLIFIER_REPEATED', 'WINDOWS_INCONSISTENT', 'PARAMETER_NOT_ALLOWED', 'ROOT_NOT_PUBLISHED', 'DATASET_UNKNOWN', 'DATASET_EXISTS', 'NULLIFIER_SPENT', 'TREE_FULL'];

/** Every route of the registry API. */
export const ROUTES: readonly Route[] = [
  {
    method: 'GET', path: '/checkpoint', operationId: 'getCheckpoint', tag: 'log', auth: 'public',
    summary: 'The latest signed checkpoint (C2SP tlog-checkpoint note with the lots and plots roots), as tlog-tiles logs serve it.',
    response: { status: 200, description: 'the signed note', text: 'text/plain; charset=utf-8' }, errors: ['NOT_FOUND'], handle: checkpointText,
  },
  {
    method: 'GET', path: '/v1/checkpoints', operationId: 'listCheckpoints', tag: 'log', auth: 'public', query: s.checkpointsQuerySchema,
    summary: `Signed checkpoints with size ≥ from, oldest first (at most ${s.MAX_CHECKPOINTS_PAGE}): the history of published roots.`,
    response: { status: 200, description: 'checkpoints', schema: s.checkpointsResponseSchema }, errors: [], handle: checkpointHistory,
  },
  {
    method: 'GET', path: '/v1/entries', operationId: 'listEntries', tag: 'log', auth: 'public', query: s.entriesQuerySchema,
    summary: `Entries [start, end), at most ${s.MAX_ENTRIES_PAGE}; end defaults to a full page or the end of the log.`,
    response: { status: 200, description: 'a page of entries and the log size', schema: s.entriesResponseSchema }, errors: ['NOT_FOUND'], handle: entryPage,
  },
  {
    method: 'GET', path: '/v1/entries/:seq', operationId: 'getEntry', tag: 'log', auth: 'public', params: s.seqParamsSchema,
    summary: 'One entry by sequence number.',
    response: { status: 200, description: 'the entry', schema: s.servedEntrySchema }, errors: ['NOT_FOUND'], handle: oneEntry,
  },
  {
    method: 'GET', path: '/v1/proofs/inclusion', operationId: 'proveInclusion', tag: 'proofs', auth: 'public', query: s.inclusionQuerySchema,
    summary: 'RFC 9162 inclusion proof (audit path) of entry `index` in the log of `size` entries.',
    response: { status: 200, description: 'the proof, hashes base64', schema: s.inclusionProofSchema }, errors: ['INVALID_INPUT'], handle: inclusionProof,
  },
  {
    method: 'GET', path: '/v1/proofs/consistency', operationId: 'proveConsistency', tag: 'proofs', auth: 'public', query: s.consistencyQuerySchema,
    summary: 'RFC 9162 consistency proof from the log of `old` entries to the log of `size` entries.',
    response: { status: 200, description: 'the proof, hashes base64', schema: s.consistencyProofSchema }, errors: ['INVALID_INPUT'], handle: consistencyProof,
  },
  {
    method: 'GET', path: '/v1/trees/:tree/proof', operationId: 'proveTreeLeaf', tag: 'proofs', auth: 'public', params: s.treeParamsSchema, query: s.treeProofQuerySchema,
    summary: 'Poseidon inclusion proof of leaf `leafIndex` of the lots or plots tree, against the root published by the checkpoint of log size `size`.',
    response: { status: 200, description: 'the Merkle proof (core/merkle JSON form)', schema: s.merkleProofSchema }, errors: ['NOT_FOUND', 'INVALID_INPUT'], handle: treeProof,
  },
  {
    method: 'GET', path: '/v1/trees/:tree/leaves/:value', operationId: 'findTreeLeaf', tag: 'registry', auth: 'public', params: s.treeLeafParamsSchema,
    summary: 'Where a leaf value (a lot or capacity commitment, a plot attestation leaf) sits in the lots or plots tree: its lowest index and the entry that appended it.',
    response: { status: 200, description: 'the leaf', schema: s.treeLeafResponseSchema }, errors: ['NOT_FOUND'], handle: treeLeaf,
  },
  {
    method: 'GET', path: '/v1/nullifiers/:value', operationId: 'getNullifier', tag: 'registry', auth: 'public', params: s.nullifierParamsSchema,
    summary: 'Whether a nullifier (or capacity issuance tag) is spent, and by which entry.',
    response: { status: 200, description: 'the nullifier state', schema: s.nullifierResponseSchema }, errors: [], handle: nullifierStatus,
  },
  {
    method: 'GET', path: '/v1/roots', operationId: 'getRoots', tag: 'registry', auth: 'public',
    summary: 'The lots and plots roots of the latest signed checkpoint (the newest roots a proof may use), and the depth of each tree.',
    response: { status: 200, description: 'roots, leaf counts and tree depths', schema: s.rootsResponseSchema }, errors: ['NOT_FOUND'], handle: publishedRoots,
  },
  {
    method: 'GET', path: '/v1/datasets/:root', operationId: 'getDataset', tag: 'registry', auth: 'public', params: s.datasetParamsSchema,
    summary: 'The dataset entry registering a dataset root (its sequence number, name and manifest SHA-256); prove the entry included before relying on it.',
    response: { status: 200, description: 'the dataset entry', schema: s.datasetResponseSchema }, errors: ['NOT_FOUND'], handle: datasetRecord,
  },
  {
    method: 'GET', path: '/v1/artifacts', operationId: 'getArtifacts', tag: 'registry', auth: 'public',
    summary: 'The circuit verification keys the registry accepts, their SHA-256 and the setup manifest hash.',
    response: { status: 200, description: 'published artifacts', schema: s.artifactsResponseSchema }, errors: [], handle: publishedArtifacts,
  },
  {
    method: 'GET', path: '/v1/parties/:id', operationId: 'getParty', tag: 'registry', auth: 'public', params: s.partyParamsSchema,
    summary: 'A registered party: role, public key, registering and revoking entries.',
    response: { status: 200, description: 'the party', schema: s.partyResponseSchema }, errors: ['NOT_FOUND'], handle: partyRecord,
  },
  {
    method: 'GET', path: '/v1/witnesses', operationId: 'listWitnesses', tag: 'registry', auth: 'public',
    summary: 'The witnesses: each active auditor’s party id and C2SP cosignature/v1 verifier key, derived from its registered Ed25519 key.',
    response: { status: 200, description: 'witnesses', schema: s.witnessesResponseSchema }, errors: [], handle: witnessList,
  },
  {
    method: 'GET', path: '/v1/registry-key', operationId: 'getRegistryKey', tag: 'registry', auth: 'public',
    summary: 'The registry’s note verifier key and log origin. Trust-on-first-use material only: anyone answering this URL can answer any key, so pin the key from an independent source and compare.',
    response: { status: 200, description: 'origin and verifier key', schema: s.registryKeyResponseSchema }, errors: [], handle: registryKey,
  },
  {
    method: 'GET', path: '/openapi.json', operationId: 'getOpenApi', tag: 'service', auth: 'public',
    summary: 'This document.',
    response: { status: 200, description: 'OpenAPI 3.1 document', schema: s.openApiDocumentSchema }, errors: [], handle: openApi,
  },
  {
    method: 'GET', path: '/healthz', operationId: 'getHealth', tag: 'service', auth: 'public',
    summary: 'Liveness: the store answers; log size, latest checkpoint size, verifier counters.',
    response: { status: 200, description: 'healthy', schema: s.healthResponseSchema }, errors: [], handle: health,
  },
  {
    method: 'POST', path: '/v1/entries', operationId: 'submitEntries', nonce: 'with-append', tag: 'write', auth: 'party', body: s.submitBodySchema,
    summary: `Appends 1..${s.MAX_SUBMIT_ENTRIES} entries, all or none, after verifying every proof. Signed by a registered supplier or publisher.`,
    response: { status: 201, description: 'acknowledged: durably stored', schema: s.receiptsResponseSchema }, errors: REFUSALS, handle: submitEntries,
  },
  {
    method: 'POST', path: '/v1/admin/parties', operationId: 'addParty', nonce: 'with-append', tag: 'admin', auth: 'accreditor', body: s.addPartyBodySchema,
    summary: 'Registers a party (party-registration entry). Signed by the accreditor.',
    response: { status: 201, description: 'registered', schema: s.receiptsResponseSchema }, errors: ['ADMIN_DISABLED', 'ENTRY_MALFORMED', 'PARTY_EXISTS', 'KEY_IN_USE'], handle: addParty,
  },
  {
    method: 'POST', path: '/v1/admin/parties/:id/revoke', operationId: 'revokeParty', nonce: 'with-append', tag: 'admin', auth: 'accreditor', params: s.partyParamsSchema, body: s.revokePartyBodySchema,
    summary: 'Revokes a party (party-revocation entry). Signed by the accreditor.',
    response: { status: 201, description: 'revoked', schema: s.receiptsResponseSchema }, errors: ['ADMIN_DISABLED', 'ENTRY_MALFORMED', 'PARTY_UNKNOWN', 'PARTY_REVOKED'], handle: revokeParty,
  },
  {
    method: 'POST', path: '/v1/admin/artifacts', operationId: 'addArtifacts', nonce: 'with-append', tag: 'admin', auth: 'accreditor', body: s.addArtifactsBodySchema,
    summary: 'Pins circuit artifacts (artifacts entry): from then on a proof is accepted only under a pinned verification key. Signed by the accreditor.',
    response: { status: 201, description: 'pinned', schema: s.receiptsResponseSchema }, errors: ['ADMIN_DISABLED', 'ENTRY_MALFORMED'], handle: addArtifacts,
  },
  {
    method: 'GET', path: '/v1/audit/submissions', operationId: 'listSubmissions', tag: 'audit', auth: 'auditor', query: s.submissionsQuerySchema,
    summary: `Who submitted entries [start, end) (at most ${s.MAX_SUBMISSION_PAGE}): party id, role, time. Signed by a party with the auditor role; the log itself records no submitter.`,
    response: { status: 200, description: 'submission records', schema: s.submissionsResponseSchema }, errors: ['ROLE_FORBIDDEN', 'INVALID_QUERY'], handle: auditSubmissions,
  },
  {
    method: 'POST', path: '/v1/checkpoints/cosignatures', operationId: 'cosignCheckpoint', tag: 'audit', auth: 'auditor', body: s.cosignBodySchema,
    summary: 'Adds a witness’s C2SP cosignatures to a checkpoint the registry signed; served from then on with the checkpoint. Signed by a party with the auditor role, whose registered key is the cosigner key.',
    response: { status: 200, description: 'the checkpoint with the merged cosignatures', schema: s.signedCheckpointSchema }, errors: ['ROLE_FORBIDDEN', 'NOTE_MALFORMED', 'COSIGNATURE_INVALID', 'NOT_FOUND'], handle: cosignCheckpoint,
  },
];
