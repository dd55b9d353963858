// `canopy setup`, `canopy setup verify`, `canopy ptau verify|ceremony`, run in-process
// through prover/cli/main.ts. The end-to-end test uses the real config and the bundled
// ptau (circuits/ptau/canopy_pot14_not_for_production.ptau, NOT FOR PRODUCTION) exactly
// as `canopy setup --profile test` does, then proves membership at test depth.
//
// The small ptau files made by `canopy ptau ceremony` below are THROWAWAY files (2^4,
// temporary folder). One made by `ptauNew` alone has NO CONTRIBUTION and exists only to
// show it is refused.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadVerificationKey, proveGroth16, verifyGroth16 } from '../../circuits/toolchain/prove.ts';
import { loadConfig } from '../../circuits/toolchain/config.ts';
import { BUNDLED_PTAU } from '../../circuits/toolchain/ptau.ts';
import { curveHolders, ptauNew } from '../../circuits/toolchain/snarkjs.ts';
import { membershipLeaf, membershipPublicSignals, membershipWitnessInput } from '../../core/circuits/membership.ts';
import { IncrementalMerkleTree } from '../../core/merkle/incremental-merkle-tree.ts';
import { ceremonyOptionsFromFlags } from '../../prover/cli/commands/ptau.ts';
import { setupOptionsFromFlags } from '../../prover/cli/commands/setup.ts';
import { runCanopy, type CanopyRun } from '../_canopy.ts';

type Run = CanopyRun;
const canopy = (...args: string[]): Promise<Run> => runCanopy(args);

/** The last line a command wrote to stderr: the one-line error after any progress lines. */
function lastLine(text: string): string {
  const lines = text.split('\n').filter((l) => l !== '');
  return `${lines[lines.length - 1] ?? ''}\n`;
}

let dir: string;
let out: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'canopy-cli-setup-'));
  out = join(dir, 'test');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('canopy setup', () => {
  describe('when run with --profile test on a fresh folder', () => {
    let first: Run;
    beforeAll(async () => {
      first = await canopy('setup', '--profile', 'test', '--out', out, '--circuit', 'membership');
    });

    it('builds membership with the bundled ptau and prints timed steps', () => {
      expect(first.code, first.err).toBe(0);
      expect(first.out).toMatch(/^wrote .*manifest\.json: built membership \(\d+\.\d s\)\n$/);
      for (const step of ['compile', 'phase 2 new key', 'phase 2 contribution', 'phase 2 beacon', 'verify key against r1cs and ptau', 'export verification key', 'hash artifacts']) {
        expect(first.err).toMatch(new RegExp(`\\[\\d/7\\] membership: ${step} … \\d+\\.\\d s`));
      }
      expect(first.err).toContain('NOT FOR PRODUCTION');
      const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
      expect(m.circuits.membership.params).toEqual({ depth: 4 });
      expect(m.circuits.membership.publicSignals).toEqual(['root', 'message']);
      expect(m.circuits.membership.ptau).toMatchObject({ file: 'canopy_pot14_not_for_production.ptau', source: 'bundled', forProduction: false, power: 14 });
      expect(curveHolders()).toBe(0);
    });

    it('makes keys under which an honest membership proof verifies', async () => {
      const tree = new IncrementalMerkleTree(4);
      for (const v of [11n, 22n, 33n, 44n, 55n]) tree.append(membershipLeaf(v));
      const message = 777n;
      const { proof, publicSignals } = await proveGroth16('membership', 'test', membershipWitnessInput(tree, 33n, message), out);
      expect(publicSignals).toEqual(membershipPublicSignals(tree.root, message));
      const vkey = await loadVerificationKey('membership', 'test', out);
      expect(await verifyGroth16(vkey, publicSignals, proof)).toBe(true);
      // The same proof with another root or another message must not verify.
      expect(await verifyGroth16(vkey, membershipPublicSignals(tree.root + 1n, message), proof)).toBe(false);
      expect(await verifyGroth16(vkey, membershipPublicSignals(tree.root, message + 1n), proof)).toBe(false);
      // A root of another tree holding the same value does not verify either.
      const other = new IncrementalMerkleTree(4);
      other.append(membershipLeaf(33n));
      expect(await verifyGroth16(vkey, membershipPublicSignals(other.root, message), proof)).toBe(false);
    });

    describe('and run again with nothing changed', () => {
      it('is a cache hit: no compilation, no new zkey', async () => {
        const zkey = join(out, 'membership', 'membership.zkey');
        const mtime = statSync(zkey).mtimeMs;
        const manifest = readFileSync(join(out, 'manifest.json'), 'utf8');
        const again = await canopy('setup', '--profile', 'test', '--out', out, '--circuit', 'membership');
        expect(again.code, again.err).toBe(0);
        expect(again.out).toMatch(/nothing to build; up to date: membership/);
        expect(again.err).toMatch(/\[7\/7\] membership: up to date \(artifacts re-hashed\) … \d+\.\d s \[cached\]/);
        expect(again.err).not.toMatch(/compile|phase 2/);
        expect(statSync(zkey).mtimeMs).toBe(mtime);
        expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(manifest);
      });
    });

    describe('and given --json, --circuit and --ptau (the bundled file, named)', () => {
      it('prints the manifest summary on stdout only', async () => {
        const r = await canopy('setup', '--profile', 'test', '--out', out, '--circuit', 'membership', '--ptau', BUNDLED_PTAU, '--json');
        expect(r.code, r.err).toBe(0);
        const s = JSON.parse(r.out);
        expect(s.profile).toBe('test');
        expect(s.ptau.sha256).toMatch(/^[0-9a-f]{64}$/);
        expect(s.circuits.membership).toMatchObject({ cached: true, params: { depth: 4 }, publicSignals: ['root', 'message'] });
        expect(Object.keys(s.circuits.membership.files).sort()).toEqual(['r1cs', 'transcript', 'vkey', 'wasm', 'zkey']);
        expect(s.circuits.membership.constraints).toBeGreaterThan(0);
      });
    });

    describe('and checked with `setup verify`', () => {
      it('reports every file matching', async () => {
        const r = await canopy('setup', 'verify', '--profile', 'test', '--out', out);
        expect(r.code, r.err).toBe(0);
        expect(r.out).toMatch(/^OK: 5 files \(\d+ bytes\) of membership match /);
      });
      it('prints JSON with --json', async () => {
        const r = await canopy('setup', 'verify', '--profile', 'test', '--out', out, '--json');
        expect(r.code, r.err).toBe(0);
        expect(JSON.parse(r.out)).toMatchObject({ ok: true, profile: 'test', circuits: ['membership'], files: 5 });
      });
      it('fails naming the file after one byte of the vkey changes', async () => {
        const copy = join(dir, 'tampered');
        const { cpSync } = await import('node:fs');
        cpSync(out, copy, { recursive: true });
        const vkey = join(copy, 'membership', 'membership.vkey.json');
        writeFileSync(vkey, readFileSync(vkey, 'utf8').replace(/"nPublic": 2/, '"nPublic": 3'));
        const r = await canopy('setup', 'verify', '--profile', 'test', '--out', copy);
        expect(r.code).toBe(1);
        expect(r.err).toMatch(/^canopy: ARTIFACT_MISMATCH: 1 artifact\(s\) in .* do not match the manifest: membership\/membership\.vkey\.json \(sha256 [0-9a-f]{64}, manifest says [0-9a-f]{64}\)\n$/);
      });
      it('fails for a profile the folder does not hold', async () => {
        const r = await canopy('setup', 'verify', '--profile', 'demo', '--out', out);
        expect(r.code).toBe(1);
        expect(r.err).toMatch(/holds keys of profile test, not demo/);
      });
    });
  });

  describe('when the profile is unknown', () => {
    it('exits 1 with one line listing the valid profiles', async () => {
      const r = await canopy('setup', '--profile', 'staging', '--out', join(dir, 'x'));
      expect(r.code).toBe(1);
      expect(r.err).toBe('canopy: INVALID_INPUT: unknown profile "staging": expected one of test, demo, production\n');
    });
  });

  describe('when a circuit is unknown', () => {
    it('exits 1 naming it and the valid ones', async () => {
      const r = await canopy('setup', '--profile', 'test', '--circuit', 'transfer', '--out', join(dir, 'x'));
      expect(r.code).toBe(1);
      const ids = Object.keys(loadConfig().circuits).join(', ');
      expect(r.err).toBe(`canopy: INVALID_INPUT: unknown circuit "transfer": expected one of ${ids}\n`);
      expect(ids).toMatch(/^membership, .*plot_window/);
    });
  });

  describe('when production is asked for without a ptau', () => {
    it('exits 1 saying what production needs', async () => {
      const r = await canopy('setup', '--profile', 'production', '--out', join(dir, 'prod'));
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^canopy: INVALID_INPUT: profile production needs --ptau FILE from a public ceremony \(e\.g\. powersOfTau28_hez_final_NN\.ptau\) or --local-ceremony; the bundled ptau is not for production\n$/);
    });
  });

  describe('when production is given the bundled ptau', () => {
    it('exits 1: it is labelled not for production', async () => {
      const r = await canopy('setup', '--profile', 'production', '--ptau', BUNDLED_PTAU, '--out', join(dir, 'prod'));
      expect(r.code).toBe(1);
      expect(lastLine(r.err)).toMatch(/^canopy: PTAU_INVALID: .*canopy_pot14_not_for_production\.ptau is labelled not for production/);
    });
  });

  describe('when the ptau file does not exist', () => {
    it('exits 1 naming the path', async () => {
      const r = await canopy('setup', '--profile', 'test', '--ptau', join(dir, 'nope.ptau'), '--out', join(dir, 'x'));
      expect(r.code).toBe(1);
      expect(r.err).toBe(`canopy: NOT_FOUND: ptau file ${join(dir, 'nope.ptau')} does not exist\n`);
    });
  });

  describe('when the ptau is too small for the circuit (throwaway 2^4 file)', () => {
    it('exits 1 naming the power needed and where to get one', async () => {
      const small = join(dir, 'small.ptau');
      expect((await canopy('ptau', 'ceremony', '--power', '4', '--out', small, '--contributions', '1')).code).toBe(0);
      const r = await canopy('setup', '--profile', 'test', '--ptau', small, '--out', join(dir, 'small-out'), '--circuit', 'membership');
      expect(r.code).toBe(1);
      expect(lastLine(r.err)).toMatch(/^canopy: PTAU_INVALID: circuit membership \(profile test\) has \d+ constraints and 2 public signals and needs a ptau of power 11; .*small\.ptau has power 4: .*powersOfTau28_hez_final_11\.ptau.*canopy ptau ceremony --power 11/);
    });
  });

  describe('when --ptau and --local-ceremony are both given', () => {
    it('exits 1', async () => {
      const r = await canopy('setup', '--profile', 'production', '--ptau', BUNDLED_PTAU, '--local-ceremony', '--out', join(dir, 'x'));
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/choose one source of powers of tau/);
    });
  });

  describe('when --contributions is given without --local-ceremony', () => {
    it('exits 1', async () => {
      const r = await canopy('setup', '--profile', 'test', '--contributions', '2', '--out', join(dir, 'x'));
      expect(r.code).toBe(1);
      expect(r.err).toBe('canopy: INVALID_INPUT: --contributions applies only with --local-ceremony\n');
    });
  });

  describe('when --contributions is not in 1..16', () => {
    it('exits 2 (bad usage)', async () => {
      const r = await canopy('setup', '--local-ceremony', '--contributions', '0');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/expected an integer from 1 to 16, got "0"/);
    });
  });

  describe('when asked for --help', () => {
    it('explains profiles, the bundled ptau, production and step times', async () => {
      const r = await canopy('setup', '--help');
      expect(r.code).toBe(0);
      for (const s of ['test', 'demo', 'production', 'NOT FOR PRODUCTION', 'powersOfTau28_hez_final_NN.ptau', '--local-ceremony', 'phase 2 new key', 'setup verify']) expect(r.out).toContain(s);
    });
  });
});

describe('setupOptionsFromFlags', () => {
  describe('when every flag is given', () => {
    it('maps each to its option', () => {
      expect(setupOptionsFromFlags({ profile: 'production', circuit: ['membership'], localCeremony: true, contributions: 3, out: '/o', json: true, force: true })).toEqual({
        profile: 'production',
        circuits: ['membership'],
        ptau: undefined,
        localCeremony: { contributions: 3 },
        outDir: '/o',
        force: true,
      });
      expect(setupOptionsFromFlags({ profile: 'test', ptau: 'p.ptau' })).toMatchObject({ ptau: 'p.ptau', localCeremony: undefined, force: false });
    });
  });
  describe('when --local-ceremony is given without --contributions', () => {
    it('defaults to 2 contributions, as the bundled ceremony', () => {
      expect(setupOptionsFromFlags({ profile: 'production', localCeremony: true }).localCeremony).toEqual({ contributions: 2 });
    });
  });
});

describe('canopy ptau', () => {
  describe('ceremony then verify (throwaway 2^4 file)', () => {
    it('makes a file that verifies, with its transcript', async () => {
      const file = join(dir, 'pot4.ptau');
      const made = await canopy('ptau', 'ceremony', '--power', '4', '--out', file, '--contributions', '2', '--json');
      expect(made.code, made.err).toBe(0);
      const t = JSON.parse(made.out);
      expect(t.steps.map((s: { step: string }) => s.step)).toEqual(['new', 'contribute', 'contribute', 'beacon', 'prepare phase2', 'verify']);
      expect(made.err).toMatch(/\[4\/6\] beacon … \d+\.\d s/);
      const v = await canopy('ptau', 'verify', file);
      expect(v.code, v.err).toBe(0);
      expect(v.out).toContain(`OK: ${file} verifies`);
      expect(v.out).toContain('power 2^4 (ceremony 2^4), prepared for phase 2');
      expect(v.out).toContain(`sha256 ${t.sha256}`);
      expect(v.out).toMatch(/#3 canopy final beacon — beacon [0-9a-f]{64}, 2\^10 iterations/);
      const j = await canopy('ptau', 'verify', file, '--json');
      expect(JSON.parse(j.out)).toMatchObject({ ok: true, power: 4, preparedPhase2: true, sha256: t.sha256 });
    });
  });
  describe('verify of a file with no contribution (throwaway)', () => {
    it('exits 1 quoting snarkjs', async () => {
      const raw = join(dir, 'raw.ptau');
      await ptauNew(3, raw);
      const r = await canopy('ptau', 'verify', raw);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^canopy: PTAU_INVALID: .*raw\.ptau does not verify: This file has no contribution! It cannot be used in production\n$/);
    });
  });
  describe('verify of a missing file', () => {
    it('exits 1 naming it', async () => {
      const r = await canopy('ptau', 'verify', join(dir, 'none.ptau'));
      expect(r.code).toBe(1);
      expect(r.err).toBe(`canopy: NOT_FOUND: ptau file ${join(dir, 'none.ptau')} does not exist\n`);
    });
  });
  describe('ceremony with a bad --power', () => {
    it('exits 2', async () => {
      const r = await canopy('ptau', 'ceremony', '--power', '29', '--out', join(dir, 'x.ptau'));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/expected an integer from 1 to 28, got "29"/);
    });
  });
  describe('ceremony with an --out that is not a .ptau file', () => {
    it('exits 1', async () => {
      const r = await canopy('ptau', 'ceremony', '--power', '3', '--out', join(dir, 'x.bin'));
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/"--out" expected a file name ending in \.ptau/);
    });
  });
  describe('ceremonyOptionsFromFlags', () => {
    it('splits --out into folder and file name and always verifies', () => {
      expect(ceremonyOptionsFromFlags({ power: 12, out: '/a/b/pot.ptau', contributions: 3 })).toEqual({ power: 12, contributions: 3, outDir: '/a/b', fileName: 'pot.ptau', verify: true });
    });
  });
});
