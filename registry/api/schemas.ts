/**
 * The zod schemas of every request body, query, path parameter and response of the
 * registry API. Requests are validated with them before anything else reads them (the
 * log then checks entries again, strictly, with registry/log/entry.ts); the OpenAPI
 * document (openapi.ts) is generated from the same schemas, so the document and the
 * checks cannot drift apart.
 *
 * Encodings, as everywhere in Canopy: field elements are canonical decimal strings
 * (snarkjs), SHA-256 hashes of files 64 lowercase hex, log hashes canonical base64 of 32
 * bytes (as checkpoints write them), Ed25519 public keys canonical base64 of 32 bytes.
 * Query and path numbers are canonical decimal integers (no sign, no leading zero, no
 * exponent), at most 2^51. Objects are strict: an unknown member is a 400.
 * @module
 */
import * as z from 'zod';
import { FIELD_ORDER } from '../../core/field.ts';
import { TLOG_MAX_SIZE } from '../../core/tlog/tree-size.ts';
import { MAX_HISTORY } from '../log/checkpoint.ts';
import { CIRCUIT_IDS, type CircuitId } from '../log/circuit-signals.ts';
import { MAX_PLOT_WINDOWS, MAX_TEXT_LENGTH, PARTY_ROLES } from '../log/entry.ts';
import { SUBMITTER_KINDS } from '../store/store.ts';
import { MAX_SUBMISSION_PAGE, MAX_SUBMIT_ENTRIES } from './submission-records.ts';

/** Most entries one `GET /v1/entries` page returns. */
export const MAX_ENTRIES_PAGE = 100;

/** Most checkpoints one `GET /v1/checkpoints` page returns. */
export const MAX_CHECKPOINTS_PAGE = Math.min(100, MAX_HISTORY);

const CONTROL_FREE = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/;

const DECIMAL = /^(0|[1-9][0-9]{0,76})$/;

/** A canonical decimal field element (the log checks it is below r). */
export const decimalSchema = z.string().regex(DECIMAL).describe('canonical decimal integer, a BN254 field element');
/**
 * A field element in a path: a canonical decimal below the BN254 scalar field order r,
 * parsed to a bigint.
 */
export const fieldParamSchema: z.ZodType<bigint, string> = decimalSchema
  // zod runs refinements after a failed check too: BigInt only sees canonical decimals.
  .refine((v) => DECIMAL.test(v) && BigInt(v) < FIELD_ORDER, { message: 'expected a field element below the BN254 scalar field order' })
  .transform((v) => BigInt(v));
/** 64 lowercase hex digits. */
export const hex64Schema = z.string().regex(/^[0-9a-f]{64}$/).describe('SHA-256, 64 lowercase hex digits');
/** Canonical base64 of 32 bytes. */
export const base64HashSchema = z.string().regex(/^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/).describe('canonical base64 of 32 bytes');
/** A party id. */
export const partyIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/).describe('party id: 1..128 of [A-Za-z0-9._:@-], starting with a letter or digit');
/** A party role. */
export const roleSchema = z.enum(PARTY_ROLES);
/** Text without control characters. */
const textSchema = (min: number) => z.string().min(min).max(MAX_TEXT_LENGTH).regex(CONTROL_FREE);

/**
 * A canonical decimal integer in a query string or path, parsed to a number in [min, max].
 * @throws never (the schema reports bad input when it parses)
 * @example uintParam(1).parse('12') // 12
 */
export function uintParam(min = 0, max = TLOG_MAX_SIZE): z.ZodType<number, string> {
  return z
    .string()
    .regex(/^(0|[1-9][0-9]{0,15})$/)
    .describe(`canonical decimal integer in [${min}, ${max}]`)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

/** A snarkjs Groth16 proof (projective coordinates, canonical decimals). */
export const groth16ProofSchema = z.strictObject({
  pi_a: z.tuple([decimalSchema, decimalSchema, decimalSchema]),
  pi_b: z.tuple([z.tuple([decimalSchema, decimalSchema]), z.tuple([decimalSchema, decimalSchema]), z.tuple([decimalSchema, decimalSchema])]),
  pi_c: z.tuple([decimalSchema, decimalSchema, decimalSchema]),
  protocol: z.literal('groth16'),
  curve: z.literal('bn128'),
});

/** A proof bundle: circuit, key hash, proof, public signals by name. */
export const proofBundleSchema = z.strictObject({
  circuit: z.enum(CIRCUIT_IDS as [CircuitId, ...CircuitId[]]),
  vkeyHash: hex64Schema,
  proof: groth16ProofSchema,
  publicSignals: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/), z.union([decimalSchema, z.array(decimalSchema).min(1).max(16)])),
});

/** The SHA-256s of one circuit's setup artifacts (an artifacts entry). */
export const pinnedArtifactsSchema = z.strictObject({ vkeyHash: hex64Schema, zkeyHash: hex64Schema, r1csHash: hex64Schema });

/** The body of an artifacts entry: the setup profile and the pinned artifacts of 1.. circuits. */
export const artifactsBodySchema = z.strictObject({
  profile: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/).describe('setup profile name'),
  circuits: z
    .partialRecord(z.enum(CIRCUIT_IDS as [CircuitId, ...CircuitId[]]), pinnedArtifactsSchema)
    .refine((c) => Object.keys(c).length > 0, { message: 'expected at least one circuit' })
    .describe('circuit id → SHA-256 of its verification key, proving key and r1cs (the setup manifest’s files)'),
});

/** A registry log entry (registry/log/entry.ts). */
export const logEntrySchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('party-registration'),
    version: z.literal(1),
    body: z.strictObject({ partyId: partyIdSchema, role: roleSchema, publicKey: base64HashSchema }),
  }),
  z.strictObject({ type: z.literal('party-revocation'), version: z.literal(1), body: z.strictObject({ partyId: partyIdSchema, reason: textSchema(0) }) }),
  z.strictObject({ type: z.literal('dataset'), version: z.literal(1), body: z.strictObject({ datasetRoot: decimalSchema, manifestSha256: hex64Schema, name: textSchema(1) }) }),
  // More windows than MAX_PLOT_WINDOWS is refused by the submit handler as 413 ENTRY_TOO_LARGE, a clearer answer than a schema error.
  z.strictObject({
    type: z.literal('plot-attestation'),
    version: z.literal(1),
    body: z.strictObject({ windows: z.array(proofBundleSchema).min(1).describe(`1..${MAX_PLOT_WINDOWS} plot_window proof bundles; more is 413 ENTRY_TOO_LARGE (attest a larger plot in several plot-attestation entries)`) }),
  }),
  z.strictObject({ type: z.literal('lot-mint'), version: z.literal(1), body: z.strictObject({ proof: proofBundleSchema }) }),
  z.strictObject({ type: z.literal('transition'), version: z.literal(1), body: z.strictObject({ proof: proofBundleSchema }) }),
  z.strictObject({ type: z.literal('capacity-issue'), version: z.literal(1), body: z.strictObject({ proof: proofBundleSchema }) }),
  z.strictObject({ type: z.literal('artifacts'), version: z.literal(1), body: artifactsBodySchema }),
]);

// ---- request bodies ----

/** `POST /v1/entries`: 1..100 entries, appended all or none. */
export const submitBodySchema = z.strictObject({ entries: z.array(logEntrySchema).min(1).max(MAX_SUBMIT_ENTRIES) });
/** `POST /v1/admin/parties`. */
export const addPartyBodySchema = z.strictObject({ partyId: partyIdSchema, role: roleSchema, publicKey: base64HashSchema });
/** `POST /v1/admin/parties/{id}/revoke`. */
export const revokePartyBodySchema = z.strictObject({ reason: textSchema(0) });
/** `POST /v1/admin/artifacts`: the artifacts entry's body. */
export const addArtifactsBodySchema = artifactsBodySchema;
/** Longest checkpoint note `POST /v1/checkpoints/cosignatures` takes (a note of 100 signatures is about 12 KiB). */
export const MAX_COSIGNED_NOTE_LENGTH = 65_536;
/** `POST /v1/checkpoints/cosignatures`: a signed checkpoint note with the auditor's cosignature lines. */
export const cosignBodySchema = z.strictObject({
  note: z.string().min(1).max(MAX_COSIGNED_NOTE_LENGTH).describe('the checkpoint note as served, with one or more C2SP cosignature/v1 lines by the auditor'),
});

// ---- queries and path parameters ----

/** `GET /v1/entries?start&end`. */
export const entriesQuerySchema = z.strictObject({ start: uintParam(), end: uintParam().optional() });
/** `GET /v1/checkpoints?from&limit`. */
export const checkpointsQuerySchema = z.strictObject({ from: uintParam().optional(), limit: uintParam(1, MAX_CHECKPOINTS_PAGE).optional() });
/** `GET /v1/proofs/inclusion?index&size`. */
export const inclusionQuerySchema = z.strictObject({ index: uintParam(), size: uintParam(1) });
/** `GET /v1/proofs/consistency?old&size`. */
export const consistencyQuerySchema = z.strictObject({ old: uintParam(1), size: uintParam(1) });
/** `GET /v1/trees/{tree}/proof?leafIndex&size`. */
export const treeProofQuerySchema = z.strictObject({ leafIndex: uintParam(0, 2 ** 32 - 1), size: uintParam() });
/** `GET /v1/audit/submissions?start&end`. */
export const submissionsQuerySchema = z.strictObject({ start: uintParam(), end: uintParam().optional() });
/** `{seq}` of `/v1/entries/{seq}`. */
export const seqParamsSchema = z.strictObject({ seq: uintParam() });
/** `{tree}`: lots or plots. */
export const treeParamsSchema = z.strictObject({ tree: z.enum(['lots', 'plots']) });
/** `{tree}` and `{value}` of `/v1/trees/{tree}/leaves/{value}`. */
export const treeLeafParamsSchema = z.strictObject({ tree: z.enum(['lots', 'plots']), value: fieldParamSchema });
/** `{value}` of `/v1/nullifiers/{value}`. */
export const nullifierParamsSchema = z.strictObject({ value: fieldParamSchema });
/** `{id}`: a party id. */
export const partyParamsSchema = z.strictObject({ id: partyIdSchema });
/** `{root}` of `/v1/datasets/{root}`: a dataset's Poseidon root, canonical decimal below r. */
export const datasetParamsSchema = z.strictObject({ root: fieldParamSchema });

// ---- responses ----

/** Every error response. */
export const errorBodySchema = z.strictObject({ error: z.strictObject({ code: z.string(), message: z.string(), index: z.number().int().optional() }) });
/** A signed checkpoint (registry/log/checkpoint.ts `SignedCheckpoint`). */
export const signedCheckpointSchema = z.strictObject({
  note: z.string().describe('the signed checkpoint note (C2SP signed-note, tlog-checkpoint with canopy-lots-root and canopy-plots-root lines)'),
  size: z.number().int(),
  rootHash: base64HashSchema,
  lotsSize: z.number().int(),
  plotsSize: z.number().int(),
  lotsRoot: decimalSchema,
  plotsRoot: decimalSchema,
  signedAt: z.number().int().describe('milliseconds since 1970, registry clock, not signed'),
});
/** `GET /v1/checkpoints`. */
export const checkpointsResponseSchema = z.strictObject({ checkpoints: z.array(signedCheckpointSchema) });
/** An entry as served. */
export const servedEntrySchema = z.strictObject({ sequence: z.number().int(), leafHash: base64HashSchema, entry: logEntrySchema });
/** `GET /v1/entries`. */
export const entriesResponseSchema = z.strictObject({ size: z.number().int().describe('log size when read'), entries: z.array(servedEntrySchema) });
/** An RFC 9162 inclusion proof, hashes base64. */
export const inclusionProofSchema = z.strictObject({ index: z.number().int(), size: z.number().int(), leafHash: base64HashSchema, hashes: z.array(base64HashSchema) });
/** An RFC 9162 consistency proof, hashes base64. */
export const consistencyProofSchema = z.strictObject({ oldSize: z.number().int(), size: z.number().int(), hashes: z.array(base64HashSchema) });
/** A Poseidon Merkle proof (core/merkle JSON form). */
export const merkleProofSchema = z.strictObject({ depth: z.number().int(), leafIndex: z.number().int(), leaf: decimalSchema, siblings: z.array(decimalSchema), root: decimalSchema });
/** One tree in `GET /v1/roots`: leaves and root at the latest checkpoint, and the tree's depth. */
const treeRootsSchema = z.strictObject({
  leaves: z.number().int(),
  root: decimalSchema,
  depth: z.number().int().min(1).max(32).describe('the tree depth the registry runs (its circuits’ profile), unsigned: a wrong depth shows when the replayed roots differ from the signed ones'),
});
/** `GET /v1/roots`. */
export const rootsResponseSchema = z.strictObject({ checkpointSize: z.number().int(), lots: treeRootsSchema, plots: treeRootsSchema });
/** `GET /v1/datasets/{root}`. */
export const datasetResponseSchema = z.strictObject({
  datasetRoot: decimalSchema,
  sequence: z.number().int().describe('the dataset entry that registered the root'),
  name: z.string(),
  manifestSha256: hex64Schema.describe('SHA-256 of the dataset’s manifest file, as the entry records it'),
});
/** `GET /v1/registry-key`. */
export const registryKeyResponseSchema = z.strictObject({
  origin: z.string().describe('the log origin, the first line of every checkpoint'),
  verifierKey: z.string().describe('the registry’s C2SP note verifier key "<origin>+<key hash>+<base64>"; trust-on-first-use material only: pin it from an independent source'),
});
/** `GET /v1/artifacts`. */
export const artifactsResponseSchema = z.strictObject({
  profile: z.string(),
  snarkjs: z.string(),
  forProduction: z.boolean(),
  manifestSha256: hex64Schema,
  circuits: z.array(
    z.strictObject({
      circuit: z.enum(CIRCUIT_IDS as [CircuitId, ...CircuitId[]]),
      vkeyHash: hex64Schema,
      params: z.record(z.string(), z.number().int()),
      publicSignals: z.array(z.string()),
      constraints: z.number().int(),
      ptauSha256: hex64Schema,
      zkeyHash: hex64Schema.describe('SHA-256 of the proving key file (setup manifest files.zkey.sha256)'),
      r1csHash: hex64Schema.describe('SHA-256 of the r1cs file (setup manifest files.r1cs.sha256)'),
      vkey: z.looseObject({ protocol: z.literal('groth16'), curve: z.literal('bn128'), nPublic: z.number().int() }).describe('snarkjs verification key'),
    }),
  ),
});
/** An append receipt. */
export const receiptSchema = z.strictObject({
  sequence: z.number().int(),
  leafHash: base64HashSchema,
  lotsLeafIndexes: z.array(z.number().int()),
  plotsLeafIndexes: z.array(z.number().int()),
});
/** The 201 answer of the write routes. */
export const receiptsResponseSchema = z.strictObject({ receipts: z.array(receiptSchema) });
/** `GET /v1/parties/{id}`. */
export const partyResponseSchema = z.strictObject({
  partyId: partyIdSchema,
  role: z.string(),
  publicKey: base64HashSchema,
  registeredAt: z.number().int(),
  revokedAt: z.number().int().nullable(),
});
/** `GET /healthz`. */
export const healthResponseSchema = z.strictObject({
  status: z.literal('ok'),
  origin: z.string(),
  store: z.string(),
  size: z.number().int(),
  checkpointSize: z.number().int().nullable(),
  verifier: z.strictObject({ workers: z.number().int(), queued: z.number().int(), busy: z.number().int(), verified: z.number().int(), replaced: z.number().int() }).nullable(),
});
/** `GET /v1/audit/submissions`. */
export const submissionsResponseSchema = z.strictObject({
  submissions: z.array(z.strictObject({ sequence: z.number().int(), keyId: z.string(), kind: z.enum(SUBMITTER_KINDS), role: z.string(), submittedAt: z.number().int() })),
  unrecorded: z.array(z.number().int()),
});
/** `GET /v1/trees/{tree}/leaves/{value}`. */
export const treeLeafResponseSchema = z.strictObject({
  tree: z.enum(['lots', 'plots']),
  value: decimalSchema,
  leafIndex: z.number().int().describe('the lowest index holding the value'),
  sequence: z.number().int().describe('the log entry that appended that leaf'),
});
/** `GET /v1/nullifiers/{value}`. */
export const nullifierResponseSchema = z.strictObject({
  nullifier: decimalSchema,
  spent: z.boolean(),
  sequence: z.number().int().nullable().describe('the log entry that spent it, or null'),
});
/** `GET /v1/witnesses`. */
export const witnessesResponseSchema = z.strictObject({
  witnesses: z.array(
    z.strictObject({
      partyId: partyIdSchema,
      cosignerKey: z.string().describe('C2SP cosignature/v1 verifier key (type 0x04) of the auditor’s registered Ed25519 key, named by its party id'),
    }),
  ),
});

/** The outline of `GET /openapi.json`. */
export const openApiDocumentSchema = z.looseObject({ openapi: z.literal('3.1.0'), info: z.looseObject({}), paths: z.record(z.string(), z.unknown()) });

/** Exported for the OpenAPI page limits. */
export { MAX_SUBMISSION_PAGE, MAX_SUBMIT_ENTRIES };
