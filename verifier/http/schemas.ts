/**
 * The zod schemas of the verifier HTTP API (docs/verifier.md): the body of `POST /verify`,
 * the claim it answers, and the error bodies. Requests are validated with them before
 * anything reads them; the OpenAPI document (openapi.ts) is generated from the same
 * schemas; tests check answers against them.
 *
 *     POST /verify   { "passport": "<canonical passport JSON>" }
 *                  | { "encryptedPassport": "<base64 blob>", "recipientKey": "<base64 X25519 secret>" }
 *                    either with an optional "ownerSecret": "<decimal>" (the importer's own, for
 *                    a note made for its key)
 *
 * Strict objects: an unknown member is a 400. The secrets in a body (a bearer passport,
 * the recipient key, the owner secret) are used for this request only: never logged,
 * never stored.
 * @module
 */
import * as z from 'zod';
import { PASSPORT_MAX_JSON_BYTES } from '../../core/passport/lot-passport.ts';
import { PASSPORT_BOX_MAX_BYTES } from '../../core/passport/passport-encryption.ts';
import { CLAIM_CHECKS } from '../claim-rejected.ts';

const decimal = z.string().regex(/^(0|[1-9][0-9]{0,76})$/).describe('canonical decimal integer');
const base64 = (maxBytes: number) =>
  z
    .string()
    .max(Math.ceil(maxBytes / 3) * 4)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/)
    .describe('standard padded base64');

const ownerSecret = decimal.describe('the owner secret of the key the note was made for (a field element), when the passport carries none');

/** `POST /verify` body. */
export const verifyBodySchema = z.union([
  z.strictObject({
    passport: z.string().min(1).max(PASSPORT_MAX_JSON_BYTES).describe('the passport text, canonical JSON (canopy-lot-passport/1)'),
    ownerSecret: ownerSecret.optional(),
  }),
  z.strictObject({
    encryptedPassport: base64(PASSPORT_BOX_MAX_BYTES).min(1).describe('an encrypted passport, base64'),
    recipientKey: base64(32).length(44).describe('the X25519 secret key it was encrypted to, base64 of 32 bytes'),
    ownerSecret: ownerSecret.optional(),
  }),
]);

/** The parsed body of `POST /verify`. */
export type VerifyBody = z.infer<typeof verifyBodySchema>;

const intensitySchema = z.strictObject({
  gramsCo2ePerKg: decimal.describe('⌈1000 · emissions / quantity⌉'),
  kgCo2ePerKg: z.string().describe('emissions / quantity, exact or rounded up at 18 decimals'),
  exact: z.boolean(),
});

/** A verified claim (verifier/verify-lot-passport.ts `VerifiedClaim`). */
export const claimSchema = z.strictObject({
  format: z.literal('canopy-verified-claim/1'),
  commodity: z.strictObject({ code: decimal, name: z.string().nullable(), hs: z.string().nullable() }),
  quantityGrams: decimal,
  emissionsGramsCo2e: decimal,
  intensity: intensitySchema.nullable(),
  deforestationFree: z.boolean(),
  cutoff: z.strictObject({ date: z.iso.date(), lossYearCode: z.number().int() }),
  datasets: z.array(z.strictObject({ name: z.string(), root: decimal, manifestSha256: z.string().regex(/^[0-9a-f]{64}$/), sequence: z.number().int().min(0) })),
  checkpoint: z.strictObject({ origin: z.string(), size: z.number().int().min(0), rootHash: z.string(), lotsRoot: decimal, cosigners: z.array(z.string()) }),
  registry: z.strictObject({
    origin: z.string(),
    sequence: z.number().int().min(0),
    leafIndex: z.number().int().min(0),
    entryType: z.enum(['lot-mint', 'transition']),
    circuit: z.string(),
  }),
  verifiedAt: z.iso.datetime(),
});

/** 422: the passport failed a check. */
export const rejectionSchema = z.strictObject({
  code: z.string().describe('CLAIM_REJECTED, or PASSPORT_MALFORMED / PASSPORT_UNDECRYPTABLE for a passport that cannot be opened'),
  check: z.enum(CLAIM_CHECKS),
  message: z.string().describe('one sentence naming the bad value'),
});

/** Every other error. */
export const errorSchema = z.strictObject({ code: z.string(), message: z.string() });
