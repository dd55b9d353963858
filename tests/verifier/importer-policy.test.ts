// The importer policy file (verifier/importer-policy.ts) and the policy check of a claim
// (verifier/claim-policy.ts), including the deforestation-free rules the end-to-end tests
// cannot reach with lot_mint notes (which are never deforestation-free).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import { ownerKey, type LotNote } from '../../core/lots/note.ts';
import { cosignerVerifierKey } from '../../core/note/cosignature.ts';
import { generateNoteKey } from '../../core/note/note-key.ts';
import { checkClaimPolicy } from '../../verifier/claim-policy.ts';
import { ClaimRejectedError } from '../../verifier/claim-rejected.ts';
import { formatImporterPolicy, IMPORTER_POLICY_FORMAT, type ImporterPolicy, parseImporterPolicy, readImporterPolicy } from '../../verifier/importer-policy.ts';
import type { RegistryDataset } from '../../verifier/registry-datasets.ts';

const registry = generateNoteKey('registry.example/canopy', new Uint8Array(32).fill(1));
const witness = generateNoteKey('witness.example/w1', new Uint8Array(32).fill(2));
const HASH = 'ab'.repeat(32);

function policyJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    format: IMPORTER_POLICY_FORMAT,
    registries: [{ origin: 'registry.example/canopy', key: registry.verifierKey, url: 'https://registry.example' }],
    artifacts: { vkeyHashes: { lot_mint: [HASH] } },
    requireDeforestationFree: true,
    ...overrides,
  };
}

function invalid(value: unknown): string {
  try {
    parseImporterPolicy(value, 'policy.json');
  } catch (e) {
    expect(e).toBeInstanceOf(CanopyError);
    expect((e as CanopyError).code).toBe('INVALID_INPUT');
    return (e as Error).message;
  }
  throw new Error('parseImporterPolicy(…) accepted an invalid policy');
}

const dir = mkdtempSync(join(tmpdir(), 'canopy-policy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseImporterPolicy', () => {
  describe('when the policy is minimal', () => {
    it('fills in the defaults', () => {
      expect(parseImporterPolicy(policyJson())).toEqual({
        registries: [{ origin: 'registry.example/canopy', key: registry.verifierKey, url: 'https://registry.example' }],
        cosigners: { k: 0, keys: [] },
        artifacts: { keysDir: null, vkeyHashes: { lot_mint: [HASH] } },
        datasets: 'any',
        cutoffDate: null,
        maxIntensityGramsCo2ePerKg: null,
        requireDeforestationFree: true,
      });
    });
  });
  describe('when every member is given', () => {
    it('normalises a witness Ed25519 key to its cosignature key, an integer maximum to a string, keysDir to an absolute path', () => {
      const p = parseImporterPolicy(
        policyJson({
          cosigners: { k: 1, keys: [witness.verifierKey] },
          artifacts: { keysDir: 'keys/demo', vkeyHashes: { lot_transition: [HASH] } },
          datasets: [{ root: '123', name: 'hansen', manifestSha256: HASH }],
          cutoffDate: '2020-12-31',
          maxIntensityGramsCo2ePerKg: 5000,
        }),
        'p.json',
        '/etc/canopy',
      );
      expect(p.cosigners).toEqual({ k: 1, keys: [cosignerVerifierKey(witness.verifierKey)] });
      expect(p.artifacts.keysDir).toBe('/etc/canopy/keys/demo');
      expect(p.datasets).toEqual([{ root: '123', name: 'hansen', manifestSha256: HASH }]);
      expect(p.maxIntensityGramsCo2ePerKg).toBe('5000');
      expect(parseImporterPolicy(JSON.parse(formatImporterPolicy(p)))).toEqual(p);
    });
  });
  describe('when a member is wrong', () => {
    it.each([
      ['a missing format', { format: undefined }, /policy\.json: "format"/],
      ['another format', { format: 'canopy-importer-policy/2' }, /"format"/],
      ['an unknown member', { extra: 1 }, /policy\.json: the policy: .*extra/],
      ['no registry', { registries: [] }, /"registries"/],
      ['a key of another name', { registries: [{ origin: 'other.example/canopy', key: registry.verifierKey }] }, /"registries\[0\]\.key": the key is named "registry\.example\/canopy", not the origin "other\.example\/canopy"/],
      ['a malformed key', { registries: [{ origin: 'registry.example/canopy', key: 'nope' }] }, /"registries\[0\]\.key": not an Ed25519 note verifier key/],
      ['a URL of another scheme', { registries: [{ origin: 'registry.example/canopy', key: registry.verifierKey, url: 'ftp://x' }] }, /"registries\[0\]\.url"/],
      ['a registry twice', { registries: [{ origin: 'registry.example/canopy', key: registry.verifierKey }, { origin: 'registry.example/canopy', key: registry.verifierKey }] }, /"registries\[1\]\.origin": origin "registry\.example\/canopy" is listed twice/],
      ['k above the keys', { cosigners: { k: 2, keys: [witness.verifierKey] } }, /"cosigners\.k": k = 2 but only 1 keys are pinned/],
      ['a bad witness key', { cosigners: { k: 0, keys: ['x'] } }, /"cosigners\.keys\[0\]": not a cosignature/],
      ['a witness twice', { cosigners: { k: 1, keys: [witness.verifierKey, cosignerVerifierKey(witness.verifierKey)] } }, /"cosigners\.keys\[1\]": a second key named "witness\.example\/w1"/],
      ['no pinned key', { artifacts: { vkeyHashes: {} } }, /"artifacts": expected at least one pinned key/],
      ['a hash of a circuit that creates no lots', { artifacts: { vkeyHashes: { plot_window: [HASH] } } }, /"artifacts\.vkeyHashes/],
      ['a short hash', { artifacts: { vkeyHashes: { lot_mint: ['abc'] } } }, /"artifacts\.vkeyHashes\.lot_mint\[0\]": expected a SHA-256/],
      ['a dataset root ≥ r', { datasets: [{ root: '21888242871839275222246405745257275088548364400416034343698204186575808495617' }] }, /"datasets\[0\]\.root": expected a field element below r/],
      ['a dataset root with a leading zero', { datasets: [{ root: '0123' }] }, /"datasets\[0\]\.root"/],
      ['a date that is no date', { cutoffDate: '2020-13-01' }, /"cutoffDate"/],
      ['an exponent maximum', { maxIntensityGramsCo2ePerKg: '1e3' }, /"maxIntensityGramsCo2ePerKg"/],
      ['a negative maximum', { maxIntensityGramsCo2ePerKg: -1 }, /"maxIntensityGramsCo2ePerKg"/],
      ['no deforestation-free choice', { requireDeforestationFree: undefined }, /"requireDeforestationFree"/],
    ])('throws INVALID_INPUT naming the member for %s', (_name, overrides, message) => {
      expect(invalid(policyJson(overrides))).toMatch(message);
    });
    it('throws INVALID_INPUT for a value that is not an object', () => {
      for (const v of [null, 1, 'x', []]) expect(invalid(v)).toMatch(/^policy\.json: /);
    });
  });
});

describe('readImporterPolicy', () => {
  describe('when the file is valid', () => {
    it('resolves keysDir against the file’s folder', async () => {
      const file = join(dir, 'policy.json');
      writeFileSync(file, JSON.stringify(policyJson({ artifacts: { keysDir: 'keys' } })));
      expect((await readImporterPolicy(file)).artifacts.keysDir).toBe(join(dir, 'keys'));
    });
  });
  describe('when the file is missing or not JSON', () => {
    it('throws NOT_FOUND saying how to make one, or INVALID_INPUT', async () => {
      await expect(readImporterPolicy(join(dir, 'none.json'))).rejects.toThrow(/--init-policy/);
      writeFileSync(join(dir, 'bad.json'), '{');
      await expect(readImporterPolicy(join(dir, 'bad.json'))).rejects.toThrow(/not JSON/);
    });
  });
});

function note(overrides: Partial<LotNote> = {}): LotNote {
  return { ownerKey: ownerKey(5n), commodity: 90111n, quantityGrams: 18_000_000n, emissionsGramsCo2e: 81_000_000n, deforestationFree: true, salt: 9n, ...overrides };
}

const hansen: RegistryDataset = { name: 'hansen', root: '123', manifestSha256: 'cd'.repeat(32), sequence: 3 };
const jrc: RegistryDataset = { name: 'jrc', root: '456', manifestSha256: 'ef'.repeat(32), sequence: 4 };

function policy(overrides: Partial<ImporterPolicy> = {}): ImporterPolicy {
  return { ...parseImporterPolicy(policyJson()), ...overrides };
}

function policyFailure(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ClaimRejectedError);
    expect((e as ClaimRejectedError).check).toBe('policy');
    return (e as Error).message;
  }
  throw new Error('checkClaimPolicy(…) passed');
}

describe('checkClaimPolicy', () => {
  describe('when a deforestation-free lot meets every rule', () => {
    it('lists what it met', () => {
      const p = policy({ cutoffDate: '2020-12-31', datasets: [{ root: '123', name: null, manifestSha256: null }, { root: '456', name: 'jrc', manifestSha256: 'ef'.repeat(32) }], maxIntensityGramsCo2ePerKg: '4500' });
      expect(checkClaimPolicy(note(), [hansen, jrc], p)).toEqual(['deforestation-free', 'cut-off 2020-12-31 ≤ 2020-12-31', 'all 2 registered datasets accepted', 'intensity ≤ 4500 g CO2e/kg']);
    });
  });
  describe('when the registry has a dataset the policy does not accept', () => {
    it('refuses the lot, naming the dataset', () => {
      const p = policy({ datasets: [{ root: '123', name: null, manifestSha256: null }] });
      expect(policyFailure(() => checkClaimPolicy(note(), [hansen, jrc], p))).toMatch(/registered dataset "jrc" \(root 456, manifest efefefefefef…, entry 4\), which the policy does not accept/);
    });
    it('refuses a dataset whose manifest hash differs from the pinned one', () => {
      const p = policy({ datasets: [{ root: '123', name: null, manifestSha256: 'aa'.repeat(32) }] });
      expect(policyFailure(() => checkClaimPolicy(note(), [hansen], p))).toMatch(/"hansen"/);
    });
    it('does not apply to a lot that makes no deforestation-free claim', () => {
      const p = policy({ requireDeforestationFree: false, datasets: [], cutoffDate: '2015-12-31' });
      expect(checkClaimPolicy(note({ deforestationFree: false }), [hansen], p)).toEqual([]);
    });
  });
  describe('when the policy wants an earlier cut-off than the registry enforces', () => {
    it('refuses a deforestation-free lot', () => {
      expect(policyFailure(() => checkClaimPolicy(note(), [], policy({ cutoffDate: '2020-12-30' })))).toMatch(/cut-off is 2020-12-31, later than the policy's 2020-12-30/);
    });
  });
  describe('when the lot is not deforestation-free and the policy requires it', () => {
    it('refuses it', () => {
      expect(policyFailure(() => checkClaimPolicy(note({ deforestationFree: false }), [], policy()))).toMatch(/not deforestation-free/);
    });
  });
  describe('when the intensity is above the maximum, or undefined', () => {
    it('refuses it', () => {
      expect(policyFailure(() => checkClaimPolicy(note({ emissionsGramsCo2e: 81_000_001n }), [], policy({ maxIntensityGramsCo2ePerKg: '4500' })))).toMatch(/4\.500000055555555556 kg CO2e\/kg \(4501 g\/kg rounded up\), above the policy maximum of 4500/);
      expect(policyFailure(() => checkClaimPolicy(note({ quantityGrams: 0n }), [], policy({ maxIntensityGramsCo2ePerKg: '4500' })))).toMatch(/weighs 0 g/);
    });
  });
});
