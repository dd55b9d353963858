/**
 * The importer's check of a lot passport (DESIGN "Transitions" 4, docs/verifier.md): a
 * list of named steps, run in order, each either passing with a one-line detail or
 * throwing `ClaimRejectedError` with its name and one sentence naming the bad value.
 *
 *     opening               the passport is well-formed, a bearer secret is the owner key's,
 *                           and the registry holds a lots leaf with the note's commitment
 *                           C = noteCommitment(note) (GET /v1/trees/lots/leaves/C)
 *     checkpoint-signature  the passport's registry is pinned by the policy, and its latest
 *                           checkpoint verifies under the pinned key (origin = key name)
 *     cosignatures          ≥ k of the policy's pinned witnesses cosigned that checkpoint
 *     inclusion             leaf passport.leafIndex of the lots tree is C, and its Poseidon
 *                           path (core/merkle) hashes to the checkpoint's lots root
 *     creating-entry        the entry the registry says appended C is passport.registry.sequence,
 *                           is below the checkpoint, hashes (RFC 6962 §2.1) into the
 *                           checkpoint's root hash by its inclusion proof (core/tlog), is a
 *                           lot-mint or transition, and has C among its lot outputs
 *     proof                 that entry's Groth16 proof verifies under a pinned key (pinned-keys.ts)
 *     nullifier             Poseidon(NULLIFIER, C, ownerSecret) is unspent (GET /v1/nullifiers);
 *                           the secret is the bearer passport's or the importer's own
 *     policy                every dataset of the registry accepted (registry-datasets.ts proves
 *                           the list complete), cut-off, intensity, deforestation-free
 *
 * What is proven and what is the registry's word: everything up to `proof` is checked
 * against the checkpoint the pinned key signed. The nullifier lookup is not: a registry
 * could claim a spent note unspent, which the log itself would expose to an auditor (the
 * spending entry is in it). The verifier states the claim as of the checkpoint it used.
 *
 * The claim reveals what the note holds and where the registry recorded it, nothing
 * upstream: no owner key, salt, commitment, input notes, plots or suppliers.
 * @module
 */
import { canonicalJsonBytes } from '../core/canonical-json.ts';
import { assertLotPassport, type LotPassport } from '../core/passport/lot-passport.ts';
import { CanopyError } from '../core/errors.ts';
import { fieldToString } from '../core/field.ts';
import { noteCommitment, nullifier as noteNullifier, ownerKey } from '../core/lots/note.ts';
import { commodityByCode, EUDR_CUTOFF_CODE, EUDR_CUTOFF_DATE } from '../core/lots/public-parameters.ts';
import { computeRoot, merkleProofFromJson } from '../core/merkle/merkle-proof.ts';
import type { Checkpoint } from '../core/note/checkpoint.ts';
import { cosignatureVerifier } from '../core/note/cosignature.ts';
import { InvalidSignatureError, openNote, UnverifiedNoteError } from '../core/note/signed-note.ts';
import { base64Decode } from '../core/note/_base64.ts';
import { type Hash, HASH_SIZE, leafHash } from '../core/tlog/hash.ts';
import { verifyInclusion } from '../core/tlog/verify-inclusion.ts';
import { verifyGroth16 } from '../circuits/toolchain/prove.ts';
import { ApiError } from '../registry/api/api-error.ts';
import { verifyCheckpointNote } from '../registry/client.ts';
import { flattenPublicSignals, signalValues } from '../registry/log/circuit-signals.ts';
import type { LogEntry, ProofBundle } from '../registry/log/entry.ts';
import { type ClaimCheck, ClaimRejectedError } from './claim-rejected.ts';
import type { ImporterPolicy, PolicyRegistry } from './importer-policy.ts';
import { checkClaimPolicy } from './claim-policy.ts';
import { type LotIntensity, lotIntensity } from './lot-intensity.ts';
import { PinnedKeys } from './pinned-keys.ts';
import { type RegistryDataset, RegistryDatasetIndex } from './registry-datasets.ts';
import { type TreeLeafRecord, type VerifierRegistry, verifierRegistry } from './verifier-registry.ts';

/** Format id of a verified claim. */
export const VERIFIED_CLAIM_FORMAT = 'canopy-verified-claim/1';

/** What an importer learns from a passport that passed every check. JSON-safe. */
export interface VerifiedClaim {
  format: typeof VERIFIED_CLAIM_FORMAT;
  /** The note's commodity code, with its name and HS heading when Canopy knows it. */
  commodity: { code: string; name: string | null; hs: string | null };
  /** Mass, grams, decimal string. */
  quantityGrams: string;
  /** Total cradle-to-gate emissions of the lot, grams CO2e, decimal string. */
  emissionsGramsCo2e: string;
  /** Intensity (lot-intensity.ts), null for a lot of 0 g. */
  intensity: LotIntensity | null;
  deforestationFree: boolean;
  /** The deforestation cut-off the registry enforces: loss after this date fails. */
  cutoff: { date: string; lossYearCode: number };
  /** Every dataset registered in the log at the checkpoint. */
  datasets: RegistryDataset[];
  /** The checkpoint the claim was checked against. */
  checkpoint: { origin: string; size: number; rootHash: string; lotsRoot: string; cosigners: string[] };
  /** Where the registry recorded the note. */
  registry: { origin: string; sequence: number; leafIndex: number; entryType: 'lot-mint' | 'transition'; circuit: string };
  /** When the checks ran (the nullifier was unspent then), ISO 8601 UTC. */
  verifiedAt: string;
}

/** The outcome of one check, as `onCheck` reports it. */
export interface CheckReport {
  check: ClaimCheck;
  passed: boolean;
  /** What was checked (passed) or the failure sentence. */
  detail: string;
}

/** State shared by verifications with one policy: verified keys, dataset indexes. */
export class VerifierCache {
  /** The policy the cached keys were pinned by; verifications with this cache must use it. */
  readonly policy: ImporterPolicy;
  readonly keys: PinnedKeys;
  readonly #indexes = new Map<string, RegistryDatasetIndex>();

  /** @example const cache = new VerifierCache(policy) */
  constructor(policy: ImporterPolicy) {
    this.policy = policy;
    this.keys = new PinnedKeys(policy);
  }

  /**
   * The dataset index of one log origin.
   * @throws never
   * @example cache.datasetIndex('registry.example/canopy')
   */
  datasetIndex(origin: string): RegistryDatasetIndex {
    let index = this.#indexes.get(origin);
    if (index === undefined) this.#indexes.set(origin, (index = new RegistryDatasetIndex()));
    return index;
  }
}

/** Options of `verifyLotPassport`. */
export interface VerifyLotPassportOptions {
  /** The registry the passport names: a client, or its base URL. */
  registry: VerifierRegistry | string;
  policy: ImporterPolicy;
  /** The importer's own owner secret, for a note made for its key (a passport without a secret). */
  ownerSecret?: bigint;
  /** Reuse verified keys and dataset indexes across calls (must be made for the same policy). */
  cache?: VerifierCache;
  /** Called after each check, passed or failed, in order. */
  onCheck?: (report: CheckReport) => void;
  /** The clock (default: the system's). */
  now?: () => Date;
}

interface Ctx {
  passport: LotPassport;
  policy: ImporterPolicy;
  registry: VerifierRegistry;
  cache: VerifierCache;
  ownerSecret: bigint | undefined;
  commitment: bigint;
  leaf: TreeLeafRecord;
  pinned: PolicyRegistry;
  /** The checkpoint note as served (its signatures are checked by two steps). */
  note: string;
  checkpoint: Checkpoint;
  lotsRoot: bigint;
  cosigners: string[];
  entry: LogEntry & { type: 'lot-mint' | 'transition' };
  bundle: ProofBundle;
  datasets: RegistryDataset[];
}

type Step = { check: ClaimCheck; run: (ctx: Ctx) => Promise<string> };

/** The lot outputs of each circuit: signals whose values are lot notes (not capacity notes). */
const LOT_OUTPUTS: Readonly<Record<string, readonly string[]>> = {
  lot_mint: ['outCommitment'],
  capacity_mint: ['lotCommitment'],
  lot_transition: ['outCommitments'],
};

const short = (v: bigint | string): string => {
  const s = String(v);
  return s.length > 16 ? `${s.slice(0, 8)}…${s.slice(-6)}` : s;
};

function reject(check: ClaimCheck, message: string, cause?: unknown): never {
  throw new ClaimRejectedError(check, message, cause === undefined ? undefined : { cause });
}

/**
 * A registry read failed: a 4xx answer or a malformed one fails the check, and so does a
 * mirror's answer that does not verify against the signed checkpoint (a TiledLog's
 * PROOF_INVALID naming the tile, or LOG_INCONSISTENT); anything else (network, 5xx) propagates.
 */
function registryFailure(check: ClaimCheck, what: string, e: unknown): never {
  if (e instanceof CanopyError && (e.code === 'PROOF_INVALID' || e.code === 'LOG_INCONSISTENT')) reject(check, `${what}: ${e.message}`, e);
  if (e instanceof ApiError && e.status >= 400 && e.status < 500) reject(check, `${what}: the registry answered ${e.code} (${e.message})`, e);
  if (e instanceof ApiError && e.code === 'RESPONSE_MALFORMED') reject(check, `${what}: the registry's answer is malformed (${e.message})`, e);
  throw e;
}

/** Runs a registry read (see `registryFailure`). */
async function ask<T>(check: ClaimCheck, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    return registryFailure(check, what, e);
  }
}

/** Parses what the registry sent; a malformed answer fails the check. */
function parsed<T>(check: ClaimCheck, what: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError || e instanceof CanopyError) reject(check, `${what} is malformed: ${e.message}`, e);
    throw e;
  }
}

const STEPS: readonly Step[] = [
  {
    check: 'opening',
    async run(ctx) {
      try {
        assertLotPassport(ctx.passport, 'passport');
      } catch (e) {
        // assertLotPassport also checks a bearer secret: Poseidon(OWNER_KEY, secret) = note.ownerKey.
        reject('opening', `the passport does not open a note: ${(e as Error).message}`, e);
      }
      ctx.commitment = noteCommitment(ctx.passport.note);
      const c = fieldToString(ctx.commitment);
      try {
        ctx.leaf = await ctx.registry.treeLeaf('lots', ctx.commitment);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) {
          reject('opening', `no lots leaf of the registry is ${c}, the commitment of this opening: a field of the note was altered, or the note was never created`, e);
        }
        registryFailure('opening', `looking up lots leaf ${c}`, e);
      }
      const leaf = ctx.leaf;
      if (leaf.tree !== 'lots' || leaf.value !== c || !Number.isSafeInteger(leaf.leafIndex) || !Number.isSafeInteger(leaf.sequence)) {
        reject('opening', `the registry answered the lookup of lots leaf ${c} with another leaf (${JSON.stringify(leaf).slice(0, 200)})`);
      }
      return `the opening commits to ${short(c)}${ctx.passport.ownerSecret !== null ? ' and its bearer secret is the owner key’s' : ''}; the registry holds it at lots leaf ${leaf.leafIndex}`;
    },
  },
  {
    check: 'checkpoint-signature',
    async run(ctx) {
      const origin = ctx.passport.registry.origin;
      const pinned = ctx.policy.registries.find((r) => r.origin === origin);
      if (pinned === undefined) {
        reject('checkpoint-signature', `the passport names registry ${JSON.stringify(origin)}, which the policy does not pin (pinned: ${ctx.policy.registries.map((r) => JSON.stringify(r.origin)).join(', ')})`);
      }
      ctx.pinned = pinned;
      const note = await ask('checkpoint-signature', 'reading the latest checkpoint', () => ctx.registry.checkpointNote());
      let checkpoint: Checkpoint;
      try {
        checkpoint = verifyCheckpointNote(note, pinned.key).checkpoint;
      } catch (e) {
        if (e instanceof CanopyError || e instanceof TypeError || e instanceof RangeError) {
          reject('checkpoint-signature', `the registry's checkpoint does not verify under the pinned key ${pinned.key}: ${e.message}`, e);
        }
        throw e;
      }
      if (checkpoint.canopyRoots === null) reject('checkpoint-signature', `the checkpoint of size ${checkpoint.size} carries no lots root`);
      ctx.checkpoint = checkpoint;
      ctx.lotsRoot = checkpoint.canopyRoots.lots;
      ctx.note = note;
      return `checkpoint of ${origin} at size ${checkpoint.size} signed by the pinned key`;
    },
  },
  {
    check: 'cosignatures',
    async run(ctx) {
      const { k, keys } = ctx.policy.cosigners;
      const signed: string[] = [];
      for (const key of keys) {
        const verifier = cosignatureVerifier(key);
        try {
          openNote(ctx.note, [verifier]);
          signed.push(verifier.name);
        } catch (e) {
          if (e instanceof UnverifiedNoteError) continue;
          if (e instanceof InvalidSignatureError) reject('cosignatures', `the cosignature by pinned witness ${verifier.name} does not verify: the checkpoint or the cosignature was altered`, e);
          throw e;
        }
      }
      ctx.cosigners = signed;
      if (signed.length < k) {
        reject('cosignatures', `the checkpoint carries ${signed.length} cosignature${signed.length === 1 ? '' : 's'} of pinned witnesses${signed.length ? ` (${signed.join(', ')})` : ''}, the policy requires ${k}`);
      }
      return k === 0 ? `none required${signed.length ? `; cosigned by ${signed.join(', ')}` : ''}` : `${signed.length} of ${k} required: ${signed.join(', ')}`;
    },
  },
  {
    check: 'inclusion',
    async run(ctx) {
      const i = ctx.passport.leafIndex;
      const size = ctx.checkpoint.size;
      if (ctx.leaf.leafIndex !== i) {
        reject('inclusion', `the registry holds this note's commitment at lots leaf ${ctx.leaf.leafIndex}, but the passport says leaf ${i}`);
      }
      const json = await ask('inclusion', `proving lots leaf ${i} under the checkpoint of size ${size} (a leaf appended after it is proven once a later checkpoint is signed)`, () =>
        ctx.registry.treeProof('lots', i, size),
      );
      const proof = parsed('inclusion', `the Poseidon proof of lots leaf ${i}`, () => merkleProofFromJson(json));
      if (proof.leafIndex !== i) reject('inclusion', `the registry proved lots leaf ${proof.leafIndex}, not leaf ${i}`);
      if (proof.leaf !== ctx.commitment) reject('inclusion', `lots leaf ${i} is ${proof.leaf}, not this note's commitment ${ctx.commitment}`);
      if (proof.root !== ctx.lotsRoot) reject('inclusion', `the Poseidon proof of lots leaf ${i} claims root ${proof.root}, not the checkpoint's lots root ${ctx.lotsRoot}`);
      // Recompute the path ourselves: the root the proof claims is only a claim.
      const root = computeRoot(proof.leaf, proof.leafIndex, proof.siblings);
      if (root !== ctx.lotsRoot) reject('inclusion', `the Poseidon path of lots leaf ${i} hashes to ${root}, not the checkpoint's lots root ${ctx.lotsRoot}`);
      return `lots leaf ${i} is the commitment, under lots root ${short(ctx.lotsRoot)} (depth ${proof.depth})`;
    },
  },
  {
    check: 'creating-entry',
    async run(ctx) {
      const seq = ctx.passport.registry.sequence;
      const size = ctx.checkpoint.size;
      if (ctx.leaf.sequence !== seq) {
        reject('creating-entry', `the registry records entry ${ctx.leaf.sequence} as the one that appended this note's commitment, but the passport names entry ${seq}`);
      }
      if (seq >= size) reject('creating-entry', `entry ${seq} is beyond the checkpoint of size ${size}`);
      const served = await ask('creating-entry', `reading entry ${seq}`, () => ctx.registry.entry(seq));
      if (served.sequence !== seq) reject('creating-entry', `the registry served entry ${served.sequence} when asked for entry ${seq}`);
      const hash = parsed('creating-entry', `entry ${seq}`, () => leafHash(canonicalJsonBytes(served.entry, 'entry')));
      const proof = await ask('creating-entry', `proving entry ${seq} in the log of size ${size}`, () => ctx.registry.inclusionProof(seq, size));
      if (proof.index !== seq || proof.size !== size) reject('creating-entry', `the registry proved entry ${proof.index} in a log of size ${proof.size}, not entry ${seq} of ${size}`);
      const path = parsed('creating-entry', `the inclusion proof of entry ${seq}`, () => proof.hashes.map((h, k) => hashFromBase64(h, `hashes[${k}]`)));
      // RFC 9162 §2.1.3.2 with our own leaf hash: the served leafHash is not trusted.
      const included = parsed('creating-entry', `the inclusion proof of entry ${seq}`, () => verifyInclusion(seq, size, hash, path, ctx.checkpoint.rootHash));
      if (!included) reject('creating-entry', `entry ${seq} as served is not in the log under the checkpoint: its inclusion proof does not reach the checkpoint's root hash`);
      const entry = served.entry;
      if (entry.type !== 'lot-mint' && entry.type !== 'transition') reject('creating-entry', `entry ${seq} is a ${entry.type} entry, which creates no lot`);
      const bundle = entry.body.proof;
      const outputs = LOT_OUTPUTS[bundle.circuit] ?? [];
      const values = parsed('creating-entry', `the public signals of entry ${seq}`, () => outputs.flatMap((name) => signalValues(bundle.publicSignals, name)));
      if (!values.includes(ctx.commitment)) {
        reject('creating-entry', `entry ${seq} (${entry.type}, ${bundle.circuit}) does not create this note: its lot outputs are ${values.map(short).join(', ') || 'none'}, not ${short(ctx.commitment)}`);
      }
      ctx.entry = entry;
      ctx.bundle = bundle;
      return `entry ${seq} (${entry.type}, ${bundle.circuit}) is in the log and outputs the commitment`;
    },
  },
  {
    check: 'proof',
    async run(ctx) {
      const b = ctx.bundle;
      const vkey = await ctx.cache.keys.keyFor(ctx.registry, b.circuit, b.vkeyHash);
      const signals = parsed('proof', `the public signals of entry ${ctx.passport.registry.sequence}`, () => flattenPublicSignals(b.circuit, b.publicSignals));
      let ok: boolean;
      try {
        ok = await verifyGroth16(vkey, signals, b.proof);
      } catch (e) {
        // verifyGroth16 throws for malformed input (a wrong signal count, a coordinate off the field), never for a false proof.
        if (e instanceof TypeError || e instanceof RangeError) reject('proof', `the proof of entry ${ctx.passport.registry.sequence} is malformed: ${e.message}`, e);
        throw e;
      }
      if (!ok) reject('proof', `the Groth16 proof of entry ${ctx.passport.registry.sequence} (${b.circuit}) does not verify under the pinned key ${b.vkeyHash}`);
      return `Groth16 proof of ${b.circuit} verifies under pinned key ${b.vkeyHash.slice(0, 16)}…`;
    },
  },
  {
    check: 'nullifier',
    async run(ctx) {
      let secret: bigint;
      if (ctx.passport.ownerSecret !== null) {
        secret = ctx.passport.ownerSecret;
      } else if (ctx.ownerSecret !== undefined) {
        if (ownerKey(ctx.ownerSecret) !== ctx.passport.note.ownerKey) {
          reject('nullifier', `the owner secret given is not the secret of this note's owner key ${short(ctx.passport.note.ownerKey)}: the note was made for another key, whose holder alone can check it is unspent`);
        }
        secret = ctx.ownerSecret;
      } else {
        reject('nullifier', 'the passport carries no owner secret and none was given: pass the owner secret of the key the note was made for (--owner-secret FILE), or ask the seller for a bearer passport');
      }
      const n = noteNullifier(ctx.commitment, secret);
      const record = await ask('nullifier', `looking up nullifier ${short(n)}`, () => ctx.registry.nullifier(n));
      if (record.nullifier !== fieldToString(n)) reject('nullifier', `the registry answered the lookup of nullifier ${n} about nullifier ${record.nullifier}`);
      if (record.spent) {
        reject('nullifier', `the note was spent${record.sequence === null ? '' : ` by entry ${record.sequence}`} (nullifier ${short(n)}): the lot has been passed on or taken over, and this passport no longer holds it`);
      }
      return `nullifier ${short(n)} is unspent`;
    },
  },
  {
    check: 'policy',
    async run(ctx) {
      ctx.datasets = await ctx.cache
        .datasetIndex(ctx.checkpoint.origin)
        .datasetsAt(ctx.registry, ctx.checkpoint)
        .catch((e: unknown) => {
          if (e instanceof CanopyError && e.code === 'PROOF_INVALID') reject('policy', `the registry's list of datasets cannot be trusted: ${e.message}`, e);
          if (e instanceof ApiError && e.status >= 400 && e.status < 500) reject('policy', `reading the registry's datasets: the registry answered ${e.code} (${e.message})`, e);
          throw e;
        });
      const met = checkClaimPolicy(ctx.passport.note, ctx.datasets, ctx.policy);
      return met.length ? met.join('; ') : 'no requirement beyond the checks above';
    },
  },
];

function hashFromBase64(text: unknown, title: string): Hash {
  if (typeof text !== 'string') throw new TypeError(`"${title}" expected a base64 string, got ${typeof text}`);
  const bytes = base64Decode(text);
  if (bytes === null || bytes.length !== HASH_SIZE) throw new RangeError(`"${title}" expected canonical base64 of ${HASH_SIZE} bytes, got ${JSON.stringify(text.slice(0, 60))}`);
  return bytes;
}

/**
 * Checks a lot passport against its registry and the importer's policy (module comment)
 * and returns what it proves.
 * @param passport - from `passportFromJson` or `decryptPassport`
 * @throws {ClaimRejectedError} CLAIM_REJECTED with `check` naming the failed check
 * @throws {TypeError|RangeError} for malformed options (a cache made for another policy)
 * @throws {CanopyError|ApiError} when the check cannot run: the registry unreachable or failing
 *   (5xx), the policy's keys folder unreadable
 * @example
 * const claim = await verifyLotPassport(passportFromJson(text), { registry: 'http://127.0.0.1:8080', policy });
 * claim.intensity?.gramsCo2ePerKg // '4500'
 */
export async function verifyLotPassport(passport: LotPassport, options: VerifyLotPassportOptions): Promise<VerifiedClaim> {
  if (typeof options !== 'object' || options === null) throw new TypeError(`"options" expected VerifyLotPassportOptions, got ${String(options)}`);
  if (typeof options.policy !== 'object' || options.policy === null) throw new TypeError(`"options.policy" expected an ImporterPolicy, got ${String(options.policy)}`);
  // A cache pins keys by its own policy: with another policy it would pin the wrong ones.
  if (options.cache !== undefined && options.cache.policy !== options.policy) throw new RangeError('"options.cache" expected a VerifierCache made for options.policy, got one made for another policy');
  const ctx = {
    passport,
    policy: options.policy,
    registry: verifierRegistry(options.registry),
    cache: options.cache ?? new VerifierCache(options.policy),
    ownerSecret: options.ownerSecret,
  } as Ctx;
  const now = options.now ?? (() => new Date());
  for (const step of STEPS) {
    let detail: string;
    try {
      detail = await step.run(ctx);
    } catch (e) {
      if (e instanceof ClaimRejectedError) options.onCheck?.({ check: e.check, passed: false, detail: e.message });
      throw e;
    }
    options.onCheck?.({ check: step.check, passed: true, detail });
  }
  return claimOf(ctx, now());
}

function claimOf(ctx: Ctx, at: Date): VerifiedClaim {
  const n = ctx.passport.note;
  const commodity = commodityByCode(n.commodity);
  return {
    format: VERIFIED_CLAIM_FORMAT,
    commodity: { code: n.commodity.toString(), name: commodity?.name ?? null, hs: commodity?.hs ?? hsHeading(n.commodity) },
    quantityGrams: n.quantityGrams.toString(),
    emissionsGramsCo2e: n.emissionsGramsCo2e.toString(),
    intensity: lotIntensity(n.emissionsGramsCo2e, n.quantityGrams),
    deforestationFree: n.deforestationFree,
    cutoff: { date: EUDR_CUTOFF_DATE, lossYearCode: EUDR_CUTOFF_CODE },
    datasets: ctx.datasets,
    checkpoint: {
      origin: ctx.checkpoint.origin,
      size: ctx.checkpoint.size,
      rootHash: Buffer.from(ctx.checkpoint.rootHash).toString('base64'),
      lotsRoot: ctx.lotsRoot.toString(),
      cosigners: ctx.cosigners,
    },
    registry: { origin: ctx.passport.registry.origin, sequence: ctx.passport.registry.sequence, leafIndex: ctx.passport.leafIndex, entryType: ctx.entry.type, circuit: ctx.bundle.circuit },
    verifiedAt: at.toISOString(),
  };
}

/** An HS code (six digits as an integer, e.g. 90111) as a dotted heading "0901.11"; null for codes ≥ 10^6. */
function hsHeading(code: bigint): string | null {
  if (code >= 1_000_000n) return null;
  const six = code.toString().padStart(6, '0');
  return `${six.slice(0, 4)}.${six.slice(4)}`;
}
