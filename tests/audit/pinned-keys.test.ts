// Pinning verification keys: from setup folders (the key files checked against their
// manifest), from hashes, and keys fetched from a registry accepted only when their file
// form hashes to the pin. Uses the setup folders of tests/audit/_world.ts.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../../circuits/toolchain/manifest.ts';
import type { PublishedArtifacts } from '../../registry/api/artifacts.ts';
import { depthsFromPins, pinnedDepths, pinsFromHashes, pinsFromSetup, resolveKeys, vkeyFileHash } from '../../verifier/audit/pinned-keys.ts';
import { AUDIT_KEYS, DEMO_KEYS, ensureKeys, registryArtifacts } from './_world.ts';

let tmp: string;
let served: PublishedArtifacts;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'canopy-pins-'));
  await ensureKeys();
  served = await registryArtifacts();
}, 600_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('vkeyFileHash', () => {
  describe('when given a key as the registry serves it (parsed JSON)', () => {
    it('is the SHA-256 the setup manifest records for the key file', () => {
      for (const dir of [AUDIT_KEYS, DEMO_KEYS]) {
        const manifest = readManifest(dir);
        for (const entry of Object.values(manifest.circuits)) {
          const vkey = JSON.parse(readFileSync(join(dir, entry.files.vkey.path), 'utf8'));
          expect(vkeyFileHash(vkey), `${dir} ${entry.circuit}`).toBe(entry.files.vkey.sha256);
        }
      }
    });
  });
});

describe('pinsFromSetup', () => {
  describe('when given a setup folder or its manifest alone', () => {
    it('pins every accepted circuit with its parameters, with the key only when the file is there', () => {
      const pins = pinsFromSetup(AUDIT_KEYS);
      expect(pins.map((p) => [p.circuit, p.params, p.vkey !== undefined])).toEqual([
        ['lot_transition', { depth: 4, nIn: 2 }, true],
        ['lot_mint', {}, true],
      ]);
      const alone = join(tmp, 'manifest.json');
      cpSync(join(AUDIT_KEYS, 'manifest.json'), alone);
      const bare = pinsFromSetup(alone);
      expect(bare.map((p) => [p.vkeyHash, p.vkey])).toEqual(pins.map((p) => [p.vkeyHash, undefined]));
    });
  });

  describe('when a key file does not match the manifest', () => {
    it('throws ARTIFACT_MISMATCH', () => {
      const copy = join(tmp, 'copy');
      cpSync(AUDIT_KEYS, copy, { recursive: true });
      const file = join(copy, readManifest(copy).circuits.lot_mint!.files.vkey.path);
      writeFileSync(file, readFileSync(file, 'utf8').replace('"groth16"', '"groth16" '));
      expect(() => pinsFromSetup(copy)).toThrow(expect.objectContaining({ code: 'ARTIFACT_MISMATCH' }));
      expect(() => pinsFromSetup(join(tmp, 'nowhere'))).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    });
  });
});

describe('pinsFromHashes', () => {
  describe('when a pin is malformed', () => {
    it('throws naming it', () => {
      expect(pinsFromHashes([`lot_mint=${'ab'.repeat(32)}`])).toEqual([{ circuit: 'lot_mint', vkeyHash: 'ab'.repeat(32), params: null, source: 'a pinned hash' }]);
      expect(() => pinsFromHashes(['lot_mint'])).toThrow(/"values\[0\]" expected circuit=<64 hex>/);
      expect(() => pinsFromHashes([`membership=${'ab'.repeat(32)}`])).toThrow(/"values\[0\] circuit" expected one of/);
      expect(() => pinsFromHashes([`lot_mint=${'AB'.repeat(32)}`])).toThrow(/"values\[0\] hash" expected 64 lowercase hex digits/);
    });
  });
});

describe('resolveKeys', () => {
  describe('when the pins carry no key files', () => {
    it('takes the served keys that hash to a pin, and lists the others as unpinned', async () => {
      const pins = pinsFromHashes(served.circuits.filter((c) => c.circuit !== 'plot_window').map((c) => `${c.circuit}=${c.vkeyHash}`));
      const tampered = structuredClone(served);
      const mint = tampered.circuits.find((c) => c.circuit === 'lot_mint')!;
      mint.vkey.IC[0]![0] = '1';
      let fetched = 0;
      const { keys, unresolved, unpinned } = await resolveKeys(pins, async () => (fetched++, tampered));
      expect(fetched).toBe(1);
      expect([...keys.values()].map((k) => [k.circuit, k.from])).toEqual([['lot_transition', 'registry /v1/artifacts']]);
      expect(unresolved.map((p) => p.circuit)).toEqual(['lot_mint']);
      expect(unpinned).toEqual([
        { circuit: 'lot_mint', vkeyHash: mint.vkeyHash, reason: `the served key hashes to ${vkeyFileHash(mint.vkey)}` },
        { circuit: 'plot_window', vkeyHash: served.circuits.find((c) => c.circuit === 'plot_window')!.vkeyHash, reason: 'served by the registry, not pinned by the auditor' },
      ]);
    });
  });

  describe('when every pin has its key file', () => {
    it('does not ask the registry', async () => {
      const { keys } = await resolveKeys(pinsFromSetup(AUDIT_KEYS), async () => {
        throw new Error('not asked');
      });
      expect(keys.size).toBe(2);
    });
  });
});

describe('pinnedDepths', () => {
  describe('when only some trees are stated by the pins', () => {
    it('gives null for the others, and disagreement among pins is INVALID_INPUT', () => {
      expect(pinnedDepths(pinsFromSetup(AUDIT_KEYS))).toEqual({ lots: 4, plots: null });
      expect(pinnedDepths(pinsFromSetup(DEMO_KEYS))).toEqual({ lots: null, plots: null });
      const [transition] = pinsFromSetup(AUDIT_KEYS).filter((p) => p.circuit === 'lot_transition');
      const other = { ...transition!, vkeyHash: 'cd'.repeat(32), params: { ...transition!.params!, depth: 5 } };
      expect(() => pinnedDepths([transition!, other])).toThrow(/disagree on the lots tree depth \(4, 5\)/);
      const issue = { circuit: 'capacity_issue' as const, vkeyHash: 'ef'.repeat(32), params: { plotsDepth: 6 }, source: 'test' };
      expect(pinnedDepths([transition!, issue])).toEqual({ lots: 4, plots: 6 });
    });
  });
});

describe('depthsFromPins', () => {
  describe('when the pinned lot circuits state a depth', () => {
    it('gives both trees that depth, or the served parameters of hash pins', () => {
      expect(depthsFromPins(pinsFromSetup(AUDIT_KEYS))).toEqual({ lots: 4, plots: 4 });
      const byHash = pinsFromHashes(served.circuits.map((c) => `${c.circuit}=${c.vkeyHash}`));
      expect(depthsFromPins(byHash, served)).toEqual({ lots: 4, plots: 4 });
    });
  });

  describe('when no pinned circuit states the depth', () => {
    it('throws INVALID_INPUT', () => {
      expect(() => depthsFromPins(pinsFromSetup(DEMO_KEYS))).toThrow(/no pinned lot_transition or capacity_mint key states the lots tree depth/);
    });
  });
});
