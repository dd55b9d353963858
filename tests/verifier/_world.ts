/**
 * A registry world for the verifier's tests: a registry served in-process over SQLite in a
 * temporary folder, holding real Groth16 proofs of `lot_mint` made with test-profile keys
 * (circuits/build/test-keys/test, tests/_keys.ts, bundled ptau, NOT FOR PRODUCTION), and the lots an
 * importer might be handed:
 *
 *     seq  entry
 *     0-2  party registrations: coop-1 (supplier), pub-1 (publisher), audit-1 (auditor)
 *     3    dataset "hansen-gfc-test"
 *     4    lot-mint A  real proof, bearer passport            18 t green coffee, 4.5 kg CO2e/kg
 *     5    lot-mint B  real proof, for the importer's key     3 kg, 10 kg CO2e (3.333… kg/kg)
 *     6    lot-mint C  real proof, bearer passport, then spent by entry 8
 *     7    lot-mint D  a proof that does NOT verify, appended by a registry that skipped
 *                      the check (the proof verifier below lets proofs shaped like the
 *                      fake proof of tests/registry/_fixtures.ts through)
 *     8    transition spending C (a fake proof, let through the same way)
 *
 * and a checkpoint of size 9 cosigned by the auditor through POST /v1/checkpoints/cosignatures.
 */
import { TEST_PROFILE_KEYS } from '../_keys.ts';
import { proveGroth16, type Groth16Proof } from '../../circuits/toolchain/prove.ts';
import { runSetup } from '../../circuits/toolchain/setup.ts';
import { withCurves } from '../../circuits/toolchain/snarkjs.ts';
import { lotMintWitnessInput } from '../../core/circuits/lot-mint.ts';
import { type LotNote, noteCommitment, nullifier, ownerKey } from '../../core/lots/note.ts';
import { cosignatureSigner, cosignerVerifierKey } from '../../core/note/cosignature.ts';
import { ed25519VerifierKey, noteVerifier } from '../../core/note/note-key.ts';
import { openNote, signNote } from '../../core/note/signed-note.ts';
import type { LotPassport } from '../../core/passport/lot-passport.ts';
import { acceptedKeys, loadArtifacts, type PublishedArtifacts } from '../../registry/api/artifacts.ts';
import type { CircuitId } from '../../registry/log/circuit-signals.ts';
import type { LogEntry } from '../../registry/log/entry.ts';
import type { ProofVerifier } from '../../registry/log/proof-verifier.ts';
import { ProofVerifierPool } from '../../registry/proof-verifier-pool.ts';
import type { ImporterPolicy } from '../../verifier/importer-policy.ts';
import { datasetEntry, fakeProof, fe, REGISTRY_KEY, sqliteFixture, VKEY } from '../registry/_fixtures.ts';
import { startTestRegistry, type TestParty, type TestRegistry } from '../registry-api/_registry.ts';

/** Where the test-profile lot_mint keys are set up (once; later runs only re-hash them). */
export const VERIFIER_KEYS_DIR = TEST_PROFILE_KEYS;

/** The registry's origin and key. */
export const ORIGIN = 'registry.test/canopy';
export const REGISTRY_VKEY = REGISTRY_KEY.verifierKey;

/** The importer's own owner secret: lot B is made for its key. */
export const IMPORTER_SECRET = 424_242_424_242n;

const GREEN_COFFEE = 90111n;

/** Proofs shaped like `fakeProof()` pass; everything else goes to the real pool. */
class SkippingVerifier implements ProofVerifier {
  constructor(readonly real: ProofVerifierPool) {}
  async verify(circuitId: CircuitId, vkeyHash: string, publicSignals: readonly string[], proof: Groth16Proof): Promise<boolean> {
    if (JSON.stringify(proof) === JSON.stringify(fakeProof())) return true;
    return this.real.verify(circuitId, vkeyHash, publicSignals, proof);
  }
}

/** One lot of the world: its note, owner secret, passport and creating entry. */
export interface WorldLot {
  note: LotNote;
  commitment: bigint;
  secret: bigint;
  /** The passport an honest seller hands over (bearer, except lot B). */
  passport: LotPassport;
  sequence: number;
}

/** The registry world (module comment). */
export interface World {
  reg: TestRegistry;
  artifacts: PublishedArtifacts;
  lotMintHash: string;
  supplier: TestParty;
  publisher: TestParty;
  auditor: TestParty;
  /** The auditor's cosigner key (type 0x04). */
  witnessKey: string;
  dataset: { root: bigint; sequence: number; manifestSha256: string; name: string };
  lots: { a: WorldLot; b: WorldLot; c: WorldLot; d: WorldLot };
  spendSequence: number;
  /** A policy that accepts lot A: pinned registry and lot_mint key, nothing else required. */
  policy(overrides?: Partial<ImporterPolicy>): ImporterPolicy;
  close(): Promise<void>;
}

function lotNote(secret: bigint, quantityGrams: bigint, emissionsGramsCo2e: bigint, salt: bigint): LotNote {
  return { ownerKey: ownerKey(secret), commodity: GREEN_COFFEE, quantityGrams, emissionsGramsCo2e, deforestationFree: false, salt };
}

/**
 * Builds the world. Takes about 20 s the first time (the lot_mint setup), a few seconds after.
 * @example const world = await startWorld();
 */
export async function startWorld(): Promise<World> {
  await runSetup({ profile: 'test', circuits: ['lot_mint'], outDir: VERIFIER_KEYS_DIR });
  // The shared keys folder holds other circuits too (tests/_keys.ts); this world's
  // registry accepts lot_mint only, whatever else other test files have set up.
  const all = await loadArtifacts(VERIFIER_KEYS_DIR);
  const lotMint = all.circuits.find((c) => c.circuit === 'lot_mint')!;
  const real: PublishedArtifacts = { ...all, circuits: [lotMint] };
  // The registry also publishes a (fake) lot_transition key, for the spending entry.
  const artifacts: PublishedArtifacts = {
    ...real,
    circuits: [...real.circuits, { ...lotMint, circuit: 'lot_transition', vkeyHash: VKEY, params: { depth: 8, nIn: 2 }, publicSignals: [] }],
  };
  const pool = await ProofVerifierPool.start({ keys: acceptedKeys(real), workers: 1 });
  const reg = await startTestRegistry(sqliteFixture(), { artifacts, verifier: new SkippingVerifier(pool) });
  try {
    const supplier = await reg.register('coop-1', 'supplier');
    const publisher = await reg.register('pub-1', 'publisher');
    const auditor = await reg.register('audit-1', 'auditor');
    const witnessKey = cosignerVerifierKey(ed25519VerifierKey('audit-1', new Uint8Array(Buffer.from(auditor.publicKey, 'base64'))));

    const datasetRoot = fe('verifier dataset');
    const dsEntry = datasetEntry(datasetRoot, 'hansen-gfc-test');
    const [dsReceipt] = await reg.client.submit([dsEntry], publisher);

    const notes = {
      a: { secret: 1_111_111n, note: lotNote(1_111_111n, 18_000_000n, 81_000_000n, fe('salt a')) },
      b: { secret: IMPORTER_SECRET, note: lotNote(IMPORTER_SECRET, 3_000n, 10_000n, fe('salt b')) },
      c: { secret: 3_333_333n, note: lotNote(3_333_333n, 5_000_000n, 20_000_000n, fe('salt c')) },
      d: { secret: 4_444_444n, note: lotNote(4_444_444n, 1_000_000n, 1_000_000n, fe('salt d')) },
    };
    const lots = {} as World['lots'];
    // One curve for the three proofs (withCurves), rather than one built per proof.
    const proofs = await withCurves(async () => {
      const out: Partial<Record<'a' | 'b' | 'c', Groth16Proof>> = {};
      for (const key of ['a', 'b', 'c'] as const) out[key] = (await proveGroth16('lot_mint', 'test', lotMintWitnessInput(notes[key].note), VERIFIER_KEYS_DIR)).proof;
      return out;
    });
    for (const key of ['a', 'b', 'c', 'd'] as const) {
      const { note, secret } = notes[key];
      const commitment = noteCommitment(note);
      const proof = key === 'd' ? fakeProof() : proofs[key]!;
      const entry: LogEntry = { type: 'lot-mint', version: 1, body: { proof: { circuit: 'lot_mint', vkeyHash: lotMint.vkeyHash, proof, publicSignals: { outCommitment: commitment.toString() } } } };
      const [receipt] = await reg.client.submit([entry], supplier);
      lots[key] = {
        note,
        commitment,
        secret,
        sequence: receipt!.sequence,
        passport: { note, ownerSecret: key === 'b' ? null : secret, leafIndex: receipt!.lotsLeafIndexes[0]!, registry: { origin: ORIGIN, sequence: receipt!.sequence } },
      };
    }
    const beforeSpend = await reg.service.signCheckpoint();
    const spend: LogEntry = {
      type: 'transition',
      version: 1,
      body: {
        proof: {
          circuit: 'lot_transition',
          vkeyHash: VKEY,
          proof: fakeProof(),
          publicSignals: {
            root: beforeSpend.lotsRoot,
            nullifiers: [nullifier(lots.c.commitment, lots.c.secret).toString(), '0'],
            outCommitments: [fe('c spent into').toString(), '0'],
            inCommodity: GREEN_COFFEE.toString(),
            outCommodity: GREEN_COFFEE.toString(),
            factorNum: '1',
            factorDen: '1',
          },
        },
      },
    };
    const [spendReceipt] = await reg.client.submit([spend], supplier);
    await reg.service.signCheckpoint();
    const note = await reg.client.checkpointNote();
    const cosigned = signNote(openNote(note, [noteVerifier(REGISTRY_VKEY)]), [cosignatureSigner(auditor.signerKey)]);
    await reg.client.cosign(cosigned, auditor);

    return {
      reg,
      artifacts,
      lotMintHash: lotMint.vkeyHash,
      supplier,
      publisher,
      auditor,
      witnessKey,
      dataset: { root: datasetRoot, sequence: dsReceipt!.sequence, manifestSha256: (dsEntry.body as { manifestSha256: string }).manifestSha256, name: 'hansen-gfc-test' },
      lots,
      spendSequence: spendReceipt!.sequence,
      policy: (overrides = {}) => ({
        registries: [{ origin: ORIGIN, key: REGISTRY_VKEY, url: reg.url }],
        cosigners: { k: 0, keys: [] },
        artifacts: { keysDir: null, vkeyHashes: { lot_mint: [lotMint.vkeyHash] } },
        datasets: 'any',
        cutoffDate: null,
        maxIntensityGramsCo2ePerKg: null,
        requireDeforestationFree: false,
        ...overrides,
      }),
      async close() {
        await reg.close();
        await pool.close();
      },
    };
  } catch (e) {
    await reg.close();
    await pool.close();
    throw e;
  }
}
