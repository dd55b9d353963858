/**
 * The importer's policy: which registries, witnesses and circuit keys it trusts, and what
 * a lot must be to be accepted. A JSON file, `canopy-importer-policy/1`, edited by people
 * and validated strictly (zod), every error naming the member:
 *
 *     {
 *       "format": "canopy-importer-policy/1",
 *       "registries": [                                  1..16 registries a passport may name
 *         { "origin": "registry.example/canopy",         the log origin = the key's name
 *           "key": "registry.example/canopy+1a2b3c4d+AQ…", its note verifier key (Ed25519)
 *           "url": "https://registry.example" }          optional; `--registry URL` overrides
 *       ],
 *       "cosigners": { "k": 1, "keys": ["witness.example+…"] },   optional (default k 0): at
 *                                                        least k of these witnesses must cosign
 *                                                        the checkpoint; keys are cosignature
 *                                                        (0x04) or Ed25519 (0x01) verifier keys
 *       "artifacts": {                                   at least one key pinned:
 *         "keysDir": "circuits/build/demo",              a setup folder (its manifest's hashes)
 *         "vkeyHashes": { "lot_mint": ["3f9a…"], … }     and/or SHA-256 of key files, per circuit
 *       },                                               (lot_mint, capacity_mint, lot_transition)
 *       "datasets": "any" | [ { "root": "123…", "name"?, "manifestSha256"? } ],
 *       "cutoffDate": "2020-12-31",                      optional: latest deforestation cut-off accepted
 *       "maxIntensityGramsCo2ePerKg": "5000",            optional: decimal string or integer
 *       "requireDeforestationFree": true                 required: say it either way
 *     }
 *
 * A dataset list is strict in a way worth stating: the proofs hide which dataset a lot's
 * plots were attested against, so a lot is accepted under a list only if EVERY dataset the
 * registry has registered is on it (registry-datasets.ts proves the registry's list
 * complete). `keysDir` is resolved against the policy file's folder when read from a file.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import { assertString } from '../core/assert.ts';
import { CanopyError } from '../core/errors.ts';
import { FIELD_ORDER } from '../core/field.ts';
import { cosignatureVerifier, cosignerVerifierKey } from '../core/note/cosignature.ts';
import { noteVerifier } from '../core/note/note-key.ts';

/** Format id of a policy file. */
export const IMPORTER_POLICY_FORMAT = 'canopy-importer-policy/1';

/** Largest policy file read, bytes. */
export const IMPORTER_POLICY_MAX_BYTES = 256 * 1024;

/** The circuits whose proofs create lot notes: the keys a policy can pin. */
export const LOT_CIRCUITS = ['lot_mint', 'capacity_mint', 'lot_transition'] as const;

/** A circuit that creates lot notes. */
export type LotCircuit = (typeof LOT_CIRCUITS)[number];

/** A registry the importer trusts. */
export interface PolicyRegistry {
  /** The log origin (line 1 of its checkpoints), equal to the key's name. */
  origin: string;
  /** Its note verifier key. */
  key: string;
  /** Where to reach it, or null (then the caller must give a URL). */
  url: string | null;
}

/** An accepted dataset. */
export interface PolicyDataset {
  /** Poseidon root, canonical decimal. */
  root: string;
  name: string | null;
  /** When given, the registered dataset's manifest hash must be this too. */
  manifestSha256: string | null;
}

/** A parsed, validated policy. Plain data. */
export interface ImporterPolicy {
  registries: PolicyRegistry[];
  /** Witnesses: `k` of `keys` (cosignature verifier keys, type 0x04) must cosign; k 0 asks for none. */
  cosigners: { k: number; keys: string[] };
  /** Pinned verification keys: a setup folder (absolute path) and/or key-file SHA-256 per circuit. */
  artifacts: { keysDir: string | null; vkeyHashes: Partial<Record<LotCircuit, string[]>> };
  datasets: 'any' | PolicyDataset[];
  /** Latest cut-off date (YYYY-MM-DD) a deforestation-free claim may rest on, or null. */
  cutoffDate: string | null;
  /** Largest emissions intensity accepted, g CO2e per kg, a decimal string, or null. */
  maxIntensityGramsCo2ePerKg: string | null;
  requireDeforestationFree: boolean;
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256: 64 lowercase hex digits');
const decimalField = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,76})$/, 'expected a canonical decimal field element')
  .refine((s) => BigInt(s) < FIELD_ORDER, 'expected a field element below r');
const text = (max: number) => z.string().min(1).max(max).regex(/^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/, 'expected text without control characters');

const registrySchema = z
  .strictObject({
    origin: text(255),
    key: z.string().max(1024),
    url: z.url({ protocol: /^https?$/ }).max(2048).optional(),
  })
  .superRefine((r, ctx) => {
    let name: string;
    try {
      name = noteVerifier(r.key).name;
    } catch (e) {
      ctx.addIssue({ code: 'custom', path: ['key'], message: `not an Ed25519 note verifier key: ${(e as Error).message}` });
      return;
    }
    if (name !== r.origin) ctx.addIssue({ code: 'custom', path: ['key'], message: `the key is named ${JSON.stringify(name)}, not the origin ${JSON.stringify(r.origin)}` });
  });

const cosignersSchema = z
  .strictObject({ k: z.number().int().min(0).max(100), keys: z.array(z.string().max(1024)).max(100) })
  .superRefine((c, ctx) => {
    const names = new Set<string>();
    c.keys.forEach((key, i) => {
      const normal = normalCosignerKey(key);
      if (normal === null) {
        ctx.addIssue({ code: 'custom', path: ['keys', i], message: 'not a cosignature (0x04) or Ed25519 (0x01) verifier key' });
        return;
      }
      const name = normal.slice(0, normal.indexOf('+'));
      if (names.has(name)) ctx.addIssue({ code: 'custom', path: ['keys', i], message: `a second key named ${JSON.stringify(name)}: each witness needs its own key` });
      names.add(name);
    });
    if (c.k > c.keys.length) ctx.addIssue({ code: 'custom', path: ['k'], message: `k = ${c.k} but only ${c.keys.length} keys are pinned` });
  });

const artifactsSchema = z
  .strictObject({
    keysDir: z.string().min(1).max(4096).optional(),
    vkeyHashes: z.partialRecord(z.enum(LOT_CIRCUITS), z.array(hex64).min(1).max(16)).optional(),
  })
  .refine((a) => a.keysDir !== undefined || Object.values(a.vkeyHashes ?? {}).some((h) => h.length > 0), 'expected at least one pinned key: "keysDir" or "vkeyHashes"');

const datasetSchema = z.strictObject({ root: decimalField, name: text(500).optional(), manifestSha256: hex64.optional() });

const intensitySchema = z.union([
  z.string().regex(/^(0|[1-9][0-9]{0,19})(\.[0-9]{1,18})?$/, 'expected a decimal such as "4500" or "4500.5"'),
  z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
]);

const policySchema = z.strictObject({
  format: z.literal(IMPORTER_POLICY_FORMAT),
  registries: z
    .array(registrySchema)
    .min(1)
    .max(16)
    .superRefine((rs, ctx) => {
      const seen = new Set<string>();
      rs.forEach((r, i) => {
        if (seen.has(r.origin)) ctx.addIssue({ code: 'custom', path: [i, 'origin'], message: `origin ${JSON.stringify(r.origin)} is listed twice` });
        seen.add(r.origin);
      });
    }),
  cosigners: cosignersSchema.optional(),
  artifacts: artifactsSchema,
  datasets: z.union([z.literal('any'), z.array(datasetSchema).max(1000)]).optional(),
  cutoffDate: z.iso.date().optional(),
  maxIntensityGramsCo2ePerKg: intensitySchema.optional(),
  requireDeforestationFree: z.boolean(),
});

/** The policy file's JSON form (what `formatImporterPolicy` writes). */
export type ImporterPolicyJson = z.input<typeof policySchema>;

function normalCosignerKey(key: string): string | null {
  try {
    cosignatureVerifier(key);
    return key;
  } catch {
    // Not a 0x04 key: perhaps the witness's Ed25519 note key, from which the 0x04 key derives.
  }
  try {
    const derived = cosignerVerifierKey(key);
    cosignatureVerifier(derived);
    return derived;
  } catch {
    return null;
  }
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s === '' ? String(p) : `${s}.${String(p)}`), '');
}

/**
 * Validates a policy value (e.g. `JSON.parse` of a file) and returns it normalised:
 * defaults filled in, cosigner keys as cosignature keys, intensity as a string, `keysDir`
 * resolved against `baseDir`.
 * @param source - names the policy in messages (a file name)
 * @param baseDir - folder a relative keysDir is resolved against (default: the working directory)
 * @throws {CanopyError} INVALID_INPUT naming the first bad member: `policy.json: "registries[0].key": …`
 * @example parseImporterPolicy(JSON.parse(text), 'policy.json', '/etc/canopy')
 */
export function parseImporterPolicy(value: unknown, source = 'policy', baseDir?: string): ImporterPolicy {
  assertString(source, 'source', 4096);
  const parsed = policySchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const member = pathOf(issue.path);
    throw new CanopyError('INVALID_INPUT', `${source}: ${member === '' ? 'the policy' : `"${member}"`}: ${issue.message}`);
  }
  const p = parsed.data;
  const vkeyHashes: Partial<Record<LotCircuit, string[]>> = {};
  for (const c of LOT_CIRCUITS) if (p.artifacts.vkeyHashes?.[c] !== undefined) vkeyHashes[c] = [...p.artifacts.vkeyHashes[c]!];
  return {
    registries: p.registries.map((r) => ({ origin: r.origin, key: r.key, url: r.url ?? null })),
    cosigners: { k: p.cosigners?.k ?? 0, keys: (p.cosigners?.keys ?? []).map((k) => normalCosignerKey(k)!) },
    artifacts: { keysDir: p.artifacts.keysDir === undefined ? null : resolve(baseDir ?? '.', p.artifacts.keysDir), vkeyHashes },
    datasets: p.datasets === undefined || p.datasets === 'any' ? 'any' : p.datasets.map((d) => ({ root: d.root, name: d.name ?? null, manifestSha256: d.manifestSha256 ?? null })),
    cutoffDate: p.cutoffDate ?? null,
    maxIntensityGramsCo2ePerKg: p.maxIntensityGramsCo2ePerKg === undefined ? null : String(p.maxIntensityGramsCo2ePerKg),
    requireDeforestationFree: p.requireDeforestationFree,
  };
}

/**
 * Reads and validates a policy file; a relative keysDir is taken from the file's folder.
 * @throws {CanopyError} NOT_FOUND if missing; INVALID_INPUT if oversize, not JSON, or invalid (naming the member)
 * @example const policy = await readImporterPolicy('importer-policy.json')
 */
export async function readImporterPolicy(file: string): Promise<ImporterPolicy> {
  assertString(file, 'file', 4096);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new CanopyError('NOT_FOUND', `no policy file ${file}: write one with \`canopy verify --init-policy --registry URL\``);
    throw e;
  }
  if (bytes.length > IMPORTER_POLICY_MAX_BYTES) throw new CanopyError('INVALID_INPUT', `${file}: over ${IMPORTER_POLICY_MAX_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new CanopyError('INVALID_INPUT', `${file}: not JSON (${(e as Error).message})`, { cause: e });
  }
  return parseImporterPolicy(json, file, dirname(resolve(file)));
}

/**
 * The policy file text for a policy: JSON with two-space indents (for people to edit), in
 * the member order of the module comment, and a final newline.
 * @throws {CanopyError} INVALID_INPUT if the policy does not validate
 * @example writeFileSync('policy.json', formatImporterPolicy(policy))
 */
export function formatImporterPolicy(policy: ImporterPolicy): string {
  const json: ImporterPolicyJson = {
    format: IMPORTER_POLICY_FORMAT,
    registries: policy.registries.map((r) => ({ origin: r.origin, key: r.key, ...(r.url !== null ? { url: r.url } : {}) })),
    cosigners: { k: policy.cosigners.k, keys: [...policy.cosigners.keys] },
    artifacts: { ...(policy.artifacts.keysDir !== null ? { keysDir: policy.artifacts.keysDir } : {}), vkeyHashes: policy.artifacts.vkeyHashes },
    datasets: policy.datasets === 'any' ? 'any' : policy.datasets.map((d) => ({ root: d.root, ...(d.name !== null ? { name: d.name } : {}), ...(d.manifestSha256 !== null ? { manifestSha256: d.manifestSha256 } : {}) })),
    ...(policy.cutoffDate !== null ? { cutoffDate: policy.cutoffDate } : {}),
    ...(policy.maxIntensityGramsCo2ePerKg !== null ? { maxIntensityGramsCo2ePerKg: policy.maxIntensityGramsCo2ePerKg } : {}),
    requireDeforestationFree: policy.requireDeforestationFree,
  };
  parseImporterPolicy(json, 'policy');
  return `${JSON.stringify(json, null, 2)}\n`;
}
