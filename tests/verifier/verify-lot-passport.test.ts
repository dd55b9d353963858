// verifyLotPassport against a real registry (SQLite, in-process) holding real lot_mint
// proofs (tests/verifier/_world.ts): every check passes for honest passports, and each
// check fails, by name and with a sentence naming the bad value, for the passport, policy
// or registry answer that breaks it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateNoteKey } from '../../core/note/note-key.ts';
import { cosignerVerifierKey } from '../../core/note/cosignature.ts';
import type { LotPassport } from '../../core/passport/lot-passport.ts';
import { RegistryClient } from '../../registry/client.ts';
import { CLAIM_CHECKS, type ClaimCheck, ClaimRejectedError, isClaimRejected } from '../../verifier/claim-rejected.ts';
import { claimSchema } from '../../verifier/http/schemas.ts';
import { verificationKeyFileHash } from '../../verifier/pinned-keys.ts';
import type { VerifierRegistry } from '../../verifier/verifier-registry.ts';
import { type CheckReport, VerifierCache, verifyLotPassport, type VerifyLotPassportOptions } from '../../verifier/verify-lot-passport.ts';
import { lyingRegistry } from './_lying-registry.ts';
import { IMPORTER_SECRET, ORIGIN, startWorld, VERIFIER_KEYS_DIR, type World } from './_world.ts';

let world: World;
let client: VerifierRegistry;

beforeAll(async () => {
  const t0 = performance.now();
  world = await startWorld();
  console.log(`verifier test world (setup cached, 3 real lot_mint proofs, 9 entries) built in ${(performance.now() - t0).toFixed(0)} ms`);
  client = new RegistryClient({ baseUrl: world.reg.url });
});
afterAll(async () => {
  await world?.close();
});

/** Runs the verification and returns the rejection, failing the test if it passed. */
async function rejected(passport: LotPassport, options: Partial<VerifyLotPassportOptions> = {}): Promise<{ e: ClaimRejectedError; reports: CheckReport[] }> {
  const reports: CheckReport[] = [];
  const outcome = await verifyLotPassport(passport, { registry: client, policy: world.policy(), onCheck: (r) => reports.push(r), ...options }).catch((x: unknown) => x);
  if (!(outcome instanceof ClaimRejectedError)) throw new Error(`verifyLotPassport(…) = ${outcome instanceof Error ? outcome.stack : JSON.stringify(outcome)}, want CLAIM_REJECTED`);
  return { e: outcome, reports };
}

function expectFailedAt(result: { e: ClaimRejectedError; reports: CheckReport[] }, check: ClaimCheck, message: RegExp): void {
  expect(result.e.code).toBe('CLAIM_REJECTED');
  expect(result.e.check).toBe(check);
  expect(result.e.message).toMatch(message);
  expect(isClaimRejected(result.e)).toBe(true);
  // Every check before it passed, it failed, none after it ran.
  const at = CLAIM_CHECKS.indexOf(check);
  expect(result.reports.map((r) => [r.check, r.passed])).toEqual([...CLAIM_CHECKS.slice(0, at).map((c) => [c, true]), [check, false]]);
}

describe('verifyLotPassport', () => {
  describe('when every check passes', () => {
    it('returns the claim of a bearer passport and reports each check in order', async () => {
      const reports: CheckReport[] = [];
      const claim = await verifyLotPassport(world.lots.a.passport, { registry: world.reg.url, policy: world.policy(), onCheck: (r) => reports.push(r), now: () => new Date('2026-01-02T03:04:05Z') });
      expect(reports.map((r) => [r.check, r.passed])).toEqual(CLAIM_CHECKS.map((c) => [c, true]));
      expect(claimSchema.parse(claim)).toEqual(claim);
      expect(claim).toMatchObject({
        format: 'canopy-verified-claim/1',
        commodity: { code: '90111', name: 'green coffee (not roasted, not decaffeinated)', hs: '0901.11' },
        quantityGrams: '18000000',
        emissionsGramsCo2e: '81000000',
        intensity: { gramsCo2ePerKg: '4500', kgCo2ePerKg: '4.5', exact: true },
        deforestationFree: false,
        cutoff: { date: '2020-12-31', lossYearCode: 21 },
        datasets: [{ name: 'hansen-gfc-test', root: world.dataset.root.toString(), manifestSha256: world.dataset.manifestSha256, sequence: world.dataset.sequence }],
        checkpoint: { origin: ORIGIN, size: world.spendSequence + 1, cosigners: [] },
        registry: { origin: ORIGIN, sequence: world.lots.a.sequence, leafIndex: world.lots.a.passport.leafIndex, entryType: 'lot-mint', circuit: 'lot_mint' },
        verifiedAt: '2026-01-02T03:04:05.000Z',
      });
    });

    it('reveals nothing upstream: no owner key, salt, secret or commitment', async () => {
      const claim = await verifyLotPassport(world.lots.a.passport, { registry: client, policy: world.policy() });
      const text = JSON.stringify(claim);
      for (const secret of [world.lots.a.note.ownerKey, world.lots.a.note.salt, world.lots.a.secret, world.lots.a.commitment]) expect(text).not.toContain(secret.toString());
    });

    it("verifies a note made for the importer's key with the importer's owner secret", async () => {
      const claim = await verifyLotPassport(world.lots.b.passport, { registry: client, policy: world.policy(), ownerSecret: IMPORTER_SECRET });
      expect(claim.intensity).toEqual({ gramsCo2ePerKg: '3334', kgCo2ePerKg: '3.333333333333333334', exact: false });
      expect(claim.registry.sequence).toBe(world.lots.b.sequence);
    });

    it('counts the cosignature of a pinned witness when the policy asks for one', async () => {
      const claim = await verifyLotPassport(world.lots.a.passport, { registry: client, policy: world.policy({ cosigners: { k: 1, keys: [world.witnessKey] } }) });
      expect(claim.checkpoint.cosigners).toEqual(['audit-1']);
    });

    it("takes the verification key from the policy's keys folder", async () => {
      // No hash pinned by hand and a registry that serves no keys at all: the folder's manifest pins it.
      const registry = lyingRegistry(client, { artifacts: async () => ({ ...world.artifacts, circuits: [] }) });
      const claim = await verifyLotPassport(world.lots.a.passport, { registry, policy: world.policy({ artifacts: { keysDir: VERIFIER_KEYS_DIR, vkeyHashes: {} } }) });
      expect(claim.registry.circuit).toBe('lot_mint');
    });

    it('reads the dataset list once per checkpoint size with a shared cache', async () => {
      const policy = world.policy();
      const cache = new VerifierCache(policy);
      let pages = 0;
      const registry = lyingRegistry(client, { entries: (s, e) => ((pages += 1), client.entries(s, e)) });
      await verifyLotPassport(world.lots.a.passport, { registry, policy, cache });
      await verifyLotPassport(world.lots.a.passport, { registry, policy, cache });
      expect(pages).toBe(1);
    });
  });

  describe('when the opening was tampered with', () => {
    it('fails check opening if a note field changed', async () => {
      const p = world.lots.a.passport;
      const r = await rejected({ ...p, note: { ...p.note, quantityGrams: p.note.quantityGrams + 1n } });
      expectFailedAt(r, 'opening', /no lots leaf of the registry is \d+, the commitment of this opening/);
    });
    it("fails check opening if the bearer secret is not the owner key's", async () => {
      const p = world.lots.a.passport;
      const r = await rejected({ ...p, ownerSecret: p.ownerSecret! + 1n });
      expectFailedAt(r, 'opening', /"passport\.ownerSecret" expected the secret of passport\.note\.ownerKey/);
    });
  });

  describe('when the registry key is not the pinned one', () => {
    it('fails check checkpoint-signature naming the pinned key', async () => {
      const other = generateNoteKey(ORIGIN, new Uint8Array(32).fill(8)).verifierKey;
      const r = await rejected(world.lots.a.passport, { policy: world.policy({ registries: [{ origin: ORIGIN, key: other, url: null }] }) });
      expectFailedAt(r, 'checkpoint-signature', /does not verify under the pinned key registry\.test\/canopy\+/);
      expect(r.e.message).toContain(other);
    });
    it('fails check checkpoint-signature if the policy does not pin the passport’s registry', async () => {
      const p = world.lots.a.passport;
      const r = await rejected({ ...p, registry: { ...p.registry, origin: 'elsewhere.example/canopy' } });
      expectFailedAt(r, 'checkpoint-signature', /names registry "elsewhere\.example\/canopy", which the policy does not pin \(pinned: "registry\.test\/canopy"\)/);
    });
  });

  describe('when too few pinned witnesses cosigned', () => {
    const stranger = cosignerVerifierKey(generateNoteKey('witness.example/w2', new Uint8Array(32).fill(3)).verifierKey);
    it('fails check cosignatures with none of the pinned witnesses', async () => {
      const r = await rejected(world.lots.a.passport, { policy: world.policy({ cosigners: { k: 1, keys: [stranger] } }) });
      expectFailedAt(r, 'cosignatures', /carries 0 cosignatures of pinned witnesses, the policy requires 1/);
    });
    it('fails check cosignatures with one of two required', async () => {
      const r = await rejected(world.lots.a.passport, { policy: world.policy({ cosigners: { k: 2, keys: [world.witnessKey, stranger] } }) });
      expectFailedAt(r, 'cosignatures', /carries 1 cosignature of pinned witnesses \(audit-1\), the policy requires 2/);
    });
  });

  describe('when the leaf index is wrong', () => {
    it('fails check inclusion naming both indexes', async () => {
      const p = world.lots.a.passport;
      const r = await rejected({ ...p, leafIndex: p.leafIndex + 1 });
      expectFailedAt(r, 'inclusion', new RegExp(`at lots leaf ${p.leafIndex}, but the passport says leaf ${p.leafIndex + 1}`));
    });
  });

  describe('when the entry named did not create the note', () => {
    it('fails check creating-entry if the passport names another entry', async () => {
      const p = world.lots.a.passport;
      const r = await rejected({ ...p, registry: { ...p.registry, sequence: world.lots.b.sequence } });
      expectFailedAt(r, 'creating-entry', new RegExp(`records entry ${p.registry.sequence} as the one that appended this note's commitment, but the passport names entry ${world.lots.b.sequence}`));
    });
    it('fails check creating-entry if the entry’s outputs do not include the commitment', async () => {
      // A registry that points the leaf at another lot's entry, and a passport that agrees.
      const p = world.lots.a.passport;
      const registry = lyingRegistry(client, { treeLeaf: async (tree, v) => ({ ...(await client.treeLeaf(tree, v)), sequence: world.lots.b.sequence }) });
      const r = await rejected({ ...p, registry: { ...p.registry, sequence: world.lots.b.sequence } }, { registry });
      expectFailedAt(r, 'creating-entry', new RegExp(`entry ${world.lots.b.sequence} \\(lot-mint, lot_mint\\) does not create this note: its lot outputs are`));
    });
    it('fails check creating-entry if the entry creates no lot', async () => {
      const p = world.lots.a.passport;
      const seq = world.dataset.sequence;
      const registry = lyingRegistry(client, { treeLeaf: async (tree, v) => ({ ...(await client.treeLeaf(tree, v)), sequence: seq }) });
      const r = await rejected({ ...p, registry: { ...p.registry, sequence: seq } }, { registry });
      expectFailedAt(r, 'creating-entry', new RegExp(`entry ${seq} is a dataset entry, which creates no lot`));
    });
  });

  describe('when the proof does not verify or its key is not pinned', () => {
    it('fails check proof for an entry whose proof does not verify (a registry that skipped the check)', async () => {
      const r = await rejected(world.lots.d.passport);
      expectFailedAt(r, 'proof', new RegExp(`proof of entry ${world.lots.d.sequence}`));
    });
    it('fails check proof if the policy pins another key of the circuit', async () => {
      const r = await rejected(world.lots.a.passport, { policy: world.policy({ artifacts: { keysDir: null, vkeyHashes: { lot_mint: ['ee'.repeat(32)] } } }) });
      expectFailedAt(r, 'proof', new RegExp(`names verification key ${world.lotMintHash} of lot_mint, which the policy does not pin \\(pinned: ${'ee'.repeat(32)}\\)`));
    });
    it('fails check proof if the policy pins no key of the circuit', async () => {
      const r = await rejected(world.lots.a.passport, { policy: world.policy({ artifacts: { keysDir: null, vkeyHashes: { lot_transition: ['ee'.repeat(32)] } } }) });
      expectFailedAt(r, 'proof', /it pins no key of that circuit/);
    });
    it('fails check proof if the registry serves another key under the pinned hash', async () => {
      const altered = structuredClone(world.artifacts);
      const vkey = altered.circuits.find((c) => c.circuit === 'lot_mint')!.vkey;
      vkey.IC[0]![0] = vkey.IC[1]![0]!;
      const registry = lyingRegistry(client, { artifacts: async () => altered });
      const r = await rejected(world.lots.a.passport, { registry });
      expectFailedAt(r, 'proof', new RegExp(`serves as ${world.lotMintHash} hashes to ${verificationKeyFileHash(vkey)}: it is not the pinned key`));
    });
  });

  describe('when the nullifier was spent', () => {
    it('fails check nullifier naming the spending entry', async () => {
      const r = await rejected(world.lots.c.passport);
      expectFailedAt(r, 'nullifier', new RegExp(`the note was spent by entry ${world.spendSequence}`));
    });
    it('fails check nullifier with no owner secret, saying what to pass', async () => {
      const r = await rejected(world.lots.b.passport);
      expectFailedAt(r, 'nullifier', /carries no owner secret and none was given: pass the owner secret .*--owner-secret FILE/);
    });
    it('fails check nullifier with an owner secret of another key', async () => {
      const r = await rejected(world.lots.b.passport, { ownerSecret: IMPORTER_SECRET + 1n });
      expectFailedAt(r, 'nullifier', /the owner secret given is not the secret of this note's owner key/);
    });
  });

  describe('when the policy refuses the lot', () => {
    it('fails check policy for an intensity above the maximum', async () => {
      const r = await rejected(world.lots.a.passport, { policy: world.policy({ maxIntensityGramsCo2ePerKg: '4499.999' }) });
      expectFailedAt(r, 'policy', /intensity is 4\.5 kg CO2e\/kg \(4500 g\/kg rounded up\), above the policy maximum of 4499\.999 g CO2e\/kg/);
    });
    it('does not fail at an intensity equal to the maximum', async () => {
      const claim = await verifyLotPassport(world.lots.a.passport, { registry: client, policy: world.policy({ maxIntensityGramsCo2ePerKg: '4500' }) });
      expect(claim.intensity?.gramsCo2ePerKg).toBe('4500');
    });
    it('fails check policy for a lot that is not deforestation-free when the policy requires it', async () => {
      const r = await rejected(world.lots.a.passport, { policy: world.policy({ requireDeforestationFree: true }) });
      expectFailedAt(r, 'policy', /not deforestation-free \(its note carries deforestationFree 0\), and the policy requires it/);
    });
  });

  describe('when the registry lies', () => {
    it('fails check inclusion for a Poseidon path that does not reach the lots root', async () => {
      const registry = lyingRegistry(client, {
        treeProof: async (t, i, s) => {
          const p = await client.treeProof(t, i, s);
          return { ...p, siblings: p.siblings.map((x, k) => (k === 3 ? (BigInt(x) + 1n).toString() : x)) };
        },
      });
      const r = await rejected(world.lots.a.passport, { registry });
      expectFailedAt(r, 'inclusion', /Poseidon path of lots leaf \d+ hashes to \d+, not the checkpoint's lots root/);
    });
    it('fails check inclusion for a proof against another root', async () => {
      const registry = lyingRegistry(client, { treeProof: async (t, i, s) => ({ ...(await client.treeProof(t, i, s)), root: '12345' }) });
      expectFailedAt(await rejected(world.lots.a.passport, { registry }), 'inclusion', /claims root 12345, not the checkpoint's lots root/);
    });
    it('fails check creating-entry for an inclusion proof with a flipped bit', async () => {
      const registry = lyingRegistry(client, {
        inclusionProof: async (i, s) => {
          const p = await client.inclusionProof(i, s);
          const h = Buffer.from(p.hashes[0]!, 'base64');
          h[5]! ^= 0x10;
          return { ...p, hashes: [h.toString('base64'), ...p.hashes.slice(1)] };
        },
      });
      expectFailedAt(await rejected(world.lots.a.passport, { registry }), 'creating-entry', /is not in the log under the checkpoint/);
    });
    it('fails check creating-entry for an entry altered in transit', async () => {
      const registry = lyingRegistry(client, {
        entry: async (seq) => {
          const served = structuredClone(await client.entry(seq));
          if (served.entry.type === 'lot-mint') served.entry.body.proof.vkeyHash = 'ee'.repeat(32);
          return served;
        },
      });
      expectFailedAt(await rejected(world.lots.a.passport, { registry }), 'creating-entry', /as served is not in the log under the checkpoint/);
    });
    it('fails check policy if the entries it serves do not hash to the checkpoint (a hidden dataset)', async () => {
      const registry = lyingRegistry(client, {
        entries: async (s, e) => {
          const page = structuredClone(await client.entries(s, e));
          for (const x of page.entries) if (x.entry.type === 'dataset') x.entry.body.name = 'another dataset';
          return page;
        },
      });
      expectFailedAt(await rejected(world.lots.a.passport, { registry }), 'policy', /do not hash to the root of its checkpoint: it left out, added or altered an entry/);
    });
    it('fails check nullifier if the registry answers about another nullifier', async () => {
      const registry = lyingRegistry(client, { nullifier: async (v) => ({ ...(await client.nullifier(v)), nullifier: '7' }) });
      expectFailedAt(await rejected(world.lots.a.passport, { registry }), 'nullifier', /about nullifier 7/);
    });
    it('fails check checkpoint-signature for a checkpoint note altered in transit', async () => {
      const registry = lyingRegistry(client, { checkpointNote: async () => (await client.checkpointNote()).replace(/\n(\d+)\n/, (_m, n: string) => `\n${Number(n) + 1}\n`) });
      expectFailedAt(await rejected(world.lots.a.passport, { registry }), 'checkpoint-signature', /does not verify under the pinned key/);
    });
  });

  describe('when the options are malformed', () => {
    it('throws RangeError for a cache made for another policy', async () => {
      await expect(verifyLotPassport(world.lots.a.passport, { registry: client, policy: world.policy(), cache: new VerifierCache(world.policy()) })).rejects.toThrow(/"options\.cache" expected a VerifierCache made for options\.policy/);
    });
  });

  describe('when the registry cannot be reached', () => {
    it('throws an error that is not a rejected claim', async () => {
      const e = await verifyLotPassport(world.lots.a.passport, { registry: 'http://127.0.0.1:9', policy: world.policy() }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(Error);
      expect(isClaimRejected(e)).toBe(false);
    });
  });
});
