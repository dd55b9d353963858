// circuits/toolchain/setup.ts, phase2.ts and prove.ts on a tiny circuit of their own,
// so every branch (cache hit, tamper, force, production rules, local ceremony) runs in
// seconds. The real circuits and the bundled ptau are exercised by cli.test.ts.
//
// The ptau files here are THROWAWAY local ceremonies at 2^6 and 2^7 in a temporary
// folder (one contribution each), made for these tests only. One file made by
// `ptauNew` alone has NO CONTRIBUTION: it exists to show setup refuses it.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest, verifyManifest } from '../../circuits/toolchain/manifest.ts';
import { loadVerificationKey, proveGroth16, verifyGroth16 } from '../../circuits/toolchain/prove.ts';
import { BUILD_DIR, PROJECT_ROOT } from '../../circuits/toolchain/project-root.ts';
import { localCeremony } from '../../circuits/toolchain/ptau.ts';
import { runSetup, STEPS_PER_CIRCUIT, type SetupEvent, type SetupOptions } from '../../circuits/toolchain/setup.ts';
import { curveHolders, ptauNew, type Groth16Proof } from '../../circuits/toolchain/snarkjs.ts';
import { CanopyError } from '../../core/errors.ts';

const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

// Tiny(n): c = a^(n+1) · b, with b public. n + 1 constraints, public signals [c, b].
const TINY = join(BUILD_DIR, 'fixtures', 'setup-tiny.circom');
const TINY_TEXT =
  'pragma circom 2.1.9;\n// Throwaway circuit of tests/setup/setup.test.ts.\ntemplate Tiny(n) {\n  signal input b;\n  signal input a;\n  signal output c;\n  signal acc[n + 1];\n  acc[0] <== a;\n  for (var i = 0; i < n; i++) acc[i + 1] <== acc[i] * a;\n  c <== acc[n] * b;\n}\n';

let dir: string;
let configPath: string;
/** Throwaway 2^6 ptau, one contribution. */
let pot6: string;

const events: SetupEvent[] = [];
const opts = (o: Partial<SetupOptions>): SetupOptions => ({ profile: 'test', configPath, ptau: pot6, outDir: join(dir, 'out'), onProgress: (e) => events.push(e), ...o });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'canopy-setup-'));
  mkdirSync(dirname(TINY), { recursive: true });
  if (!existsSync(TINY) || readFileSync(TINY, 'utf8') !== TINY_TEXT) writeFileSync(TINY, TINY_TEXT);
  configPath = join(dir, 'circuits.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      profiles: { test: { description: 't', ptau: 'bundled' }, production: { description: 'p', ptau: 'required' } },
      circuits: {
        tiny: {
          description: 'tiny',
          file: relative(PROJECT_ROOT, TINY),
          template: 'Tiny',
          params: ['n'],
          publicInputs: ['b'],
          publicSignals: ['c', 'b'],
          profiles: { test: { n: 3 }, production: { n: 100 } },
        },
      },
    }),
  );
  pot6 = (await localCeremony({ power: 6, contributions: 1, outDir: join(dir, 'pot6'), verify: false })).ptauPath;
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('runSetup', () => {
  let firstZkeyMtime: number;

  describe('when run for the first time', () => {
    it('compiles, makes and verifies keys, and writes a manifest that verifies', async () => {
      events.length = 0;
      const r = await runSetup(opts({}));
      expect(r.circuits.map((c) => [c.id, c.cached])).toEqual([['tiny', false]]);
      const e = r.manifest.circuits.tiny!;
      expect(e.params).toEqual({ n: 3 });
      expect(e.constraints.total).toBe(4);
      expect(e.publicSignals).toEqual(['c', 'b']);
      expect(e.ptau).toMatchObject({ file: 'canopy_pot6_local.ptau', power: 6, source: 'file', forProduction: true });
      expect(e.ptau.sha256).toBe(createHash('sha256').update(readFileSync(pot6)).digest('hex'));
      expect(readManifest(r.outDir)).toEqual(r.manifest);
      expect((await verifyManifest(r.outDir)).files).toBe(5);
      const done = events.filter((x) => x.circuit === 'tiny' && x.status === 'done').map((x) => `${x.index}/${x.total} ${x.step}`);
      expect(done).toEqual([
        `1/${STEPS_PER_CIRCUIT} compile`,
        '2/7 phase 2 new key',
        '3/7 phase 2 contribution',
        '4/7 phase 2 beacon',
        '5/7 verify key against r1cs and ptau',
        '6/7 export verification key',
        '7/7 hash artifacts',
      ]);
      for (const x of events.filter((x) => x.status === 'done')) expect(x.seconds).toBeGreaterThanOrEqual(0);
      const transcript = JSON.parse(readFileSync(join(r.outDir, e.files.transcript.path), 'utf8'));
      expect(transcript.contributions[0].hash).toBe(e.phase2.contributionHash);
      expect(transcript.ptau.sha256).toBe(e.ptau.sha256);
      expect(curveHolders()).toBe(0);
      firstZkeyMtime = statSync(join(r.outDir, e.files.zkey.path)).mtimeMs;
    });
  });

  describe('when run again with nothing changed', () => {
    it('compiles nothing, makes no key, and only re-hashes', async () => {
      events.length = 0;
      const before = readFileSync(join(dir, 'out', 'manifest.json'), 'utf8');
      const r = await runSetup(opts({}));
      expect(r.circuits.map((c) => c.cached)).toEqual([true]);
      expect(events.filter((x) => x.circuit === 'tiny').map((x) => `${x.status} ${x.step}`)).toEqual(['cached up to date (artifacts re-hashed)']);
      expect(statSync(join(r.outDir, 'tiny', 'tiny.zkey')).mtimeMs).toBe(firstZkeyMtime);
      expect(readFileSync(join(dir, 'out', 'manifest.json'), 'utf8')).toBe(before);
    });
  });

  describe('when an artifact was altered since', () => {
    it('rebuilds and names the altered file as the reason', async () => {
      const zkey = join(dir, 'out', 'tiny', 'tiny.zkey');
      const b = readFileSync(zkey);
      b[b.length - 1] ^= 0xff;
      writeFileSync(zkey, b);
      const r = await runSetup(opts({}));
      expect(r.circuits[0]!.cached).toBe(false);
      expect(r.circuits[0]!.reason).toMatch(/^artifacts changed: tiny\/tiny\.zkey sha256 /);
      await verifyManifest(r.outDir);
    });
  });

  describe('when forced', () => {
    it('makes new keys with a new contribution', async () => {
      const old = readManifest(join(dir, 'out')).circuits.tiny!;
      const r = await runSetup(opts({ force: true }));
      expect(r.circuits[0]).toMatchObject({ cached: false, reason: 'forced' });
      expect(r.manifest.circuits.tiny!.phase2.contributionHash).not.toBe(old.phase2.contributionHash);
      expect(r.manifest.circuits.tiny!.files.zkey.sha256).not.toBe(old.files.zkey.sha256);
      // Same circuit, same ptau: same circuit hash and setup key.
      expect(r.manifest.circuits.tiny!.phase2.circuitHash).toBe(old.phase2.circuitHash);
      expect(r.manifest.circuits.tiny!.setupKey).toBe(old.setupKey);
    });
  });

  describe('when the ptau changes', () => {
    it('rebuilds with reason "powers of tau changed"', async () => {
      const other = (await localCeremony({ power: 6, contributions: 1, outDir: join(dir, 'pot6b'), verify: false })).ptauPath;
      const r = await runSetup(opts({ ptau: other, outDir: join(dir, 'out') }));
      expect(r.circuits[0]).toMatchObject({ cached: false, reason: 'powers of tau changed' });
    });
  });

  describe('when the profile is unknown', () => {
    it('lists the valid profiles', async () => {
      await expect(runSetup(opts({ profile: 'staging' }))).rejects.toThrow(/^unknown profile "staging": expected one of test, production$/);
    });
  });

  describe('when a circuit is unknown', () => {
    it('lists the valid circuits', async () => {
      await expect(runSetup(opts({ circuits: ['transfer'] }))).rejects.toThrow(/^unknown circuit "transfer": expected one of tiny$/);
    });
  });

  describe('when the ptau file does not exist', () => {
    it('names the path', async () => {
      await expect(runSetup(opts({ ptau: join(dir, 'missing.ptau') }))).rejects.toThrow(new RegExp(`^ptau file ${join(dir, 'missing.ptau')} does not exist$`));
    });
  });

  describe('when the ptau has no contribution (throwaway made for this test)', () => {
    it('refuses it', async () => {
      const raw = join(dir, 'no_contribution.ptau');
      await ptauNew(4, raw);
      await expect(runSetup(opts({ ptau: raw, outDir: join(dir, 'out-raw') }))).rejects.toThrow(/has no contribution/);
    });
  });

  describe('when the profile requires a ptau and none is given', () => {
    it('says what production needs', async () => {
      const err = await runSetup(opts({ profile: 'production', ptau: undefined, outDir: join(dir, 'out-prod') })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CanopyError);
      expect((err as CanopyError).message).toMatch(/profile production needs --ptau FILE from a public ceremony \(e\.g\. powersOfTau28_hez_final_NN\.ptau\) or --local-ceremony/);
    });
  });

  describe('when the ptau is too small for a circuit', () => {
    it('names the power needed and where to get a file', async () => {
      // production: Tiny(100) has 101 constraints + 2 public signals, needs 2^7.
      await expect(runSetup(opts({ profile: 'production', outDir: join(dir, 'out-prod') }))).rejects.toThrow(
        /circuit tiny \(profile production\) has 101 constraints and 2 public signals and needs a ptau of power 7; .*canopy_pot6_local\.ptau has power 6: use a public ceremony file of power ≥ 7/,
      );
    });
  });

  describe('when production is given a file labelled not for production', () => {
    it('refuses it', async () => {
      const labelled = join(dir, 'canopy_pot6_not_for_production.ptau');
      writeFileSync(labelled, readFileSync(pot6));
      await expect(runSetup(opts({ profile: 'production', ptau: labelled, outDir: join(dir, 'out-prod') }))).rejects.toThrow(/labelled not for production/);
    });
  });

  describe('when production runs a local ceremony', () => {
    it('makes a ptau of the power the circuits need, then reuses it', async () => {
      const out = join(dir, 'out-local');
      const r = await runSetup(opts({ profile: 'production', ptau: undefined, localCeremony: { contributions: 1 }, outDir: out }));
      expect(r.ptau).toMatchObject({ source: 'local-ceremony', power: 7, file: 'canopy_pot7_local.ptau', forProduction: true });
      expect(existsSync(join(out, 'ptau', 'canopy_pot7_local.transcript.json'))).toBe(true);
      events.length = 0;
      const again = await runSetup(opts({ profile: 'production', ptau: undefined, localCeremony: { contributions: 1 }, outDir: out }));
      expect(again.circuits[0]!.cached).toBe(true);
      expect(events.some((x) => x.status === 'cached' && x.step === 'local ceremony: reusing canopy_pot7_local.ptau')).toBe(true);
      expect(events.some((x) => x.step === 'compile')).toBe(false);
    });
  });

  describe('when both a ptau file and a local ceremony are asked for', () => {
    it('refuses the ambiguity', async () => {
      await expect(runSetup(opts({ localCeremony: { contributions: 1 } }))).rejects.toThrow(/choose one source of powers of tau/);
    });
  });

  describe('when the output folder holds another profile', () => {
    it('refuses to mix them', async () => {
      await expect(runSetup(opts({ profile: 'production', outDir: join(dir, 'out') }))).rejects.toThrow(/holds keys of profile test, not production/);
    });
  });
});

describe('proveGroth16 / verifyGroth16', () => {
  let proof: Groth16Proof;
  let publicSignals: string[];
  const out = () => join(dir, 'out');

  beforeAll(async () => {
    await runSetup(opts({}));
    ({ proof, publicSignals } = await proveGroth16('tiny', 'test', { a: 3, b: 5 }, out()));
  });

  describe('when the proof is honest', () => {
    it('lists public signals in config order (output c, then input b) and verifies', async () => {
      expect(publicSignals).toEqual([String(3 ** 4 * 5), '5']);
      expect(JSON.parse(JSON.stringify(proof))).toEqual(proof);
      expect(await verifyGroth16(await loadVerificationKey('tiny', 'test', out()), publicSignals, proof)).toBe(true);
      expect(curveHolders()).toBe(0);
    });
  });

  describe('when a public signal is changed', () => {
    it('does not verify if the output changes', async () => {
      const vkey = await loadVerificationKey('tiny', 'test', out());
      expect(await verifyGroth16(vkey, ['406', '5'], proof)).toBe(false);
    });
    it('does not verify if the input changes', async () => {
      const vkey = await loadVerificationKey('tiny', 'test', out());
      expect(await verifyGroth16(vkey, ['405', '6'], proof)).toBe(false);
    });
  });

  describe('when a proof element is changed', () => {
    for (const [field, mutate] of [
      ['pi_a[0]', (p: Groth16Proof) => (p.pi_a[0] = String(BigInt(p.pi_a[0]!) ^ 1n))],
      ['pi_b[0][1]', (p: Groth16Proof) => (p.pi_b[0]![1] = String(BigInt(p.pi_b[0]![1]!) ^ 1n))],
      ['pi_c[1]', (p: Groth16Proof) => (p.pi_c[1] = String(BigInt(p.pi_c[1]!) ^ 1n))],
    ] as const) {
      it(`does not verify if ${field} changes`, async () => {
        const bad = structuredClone(proof);
        mutate(bad);
        const vkey = await loadVerificationKey('tiny', 'test', out());
        expect(await verifyGroth16(vkey, publicSignals, bad)).toBe(false);
      });
    }
  });

  describe('when input is malformed', () => {
    for (const [name, signals] of [
      ['a leading zero', ['0405', '5']],
      ['a sign', ['+405', '5']],
      ['r itself', [R.toString(), '5']],
      ['a hex string', ['0x195', '5']],
      ['a number', [405, '5']],
      ['one signal too few', ['405']],
      ['one signal too many', ['405', '5', '0']],
    ] as const) {
      it(`throws for ${name}`, async () => {
        const vkey = await loadVerificationKey('tiny', 'test', out());
        await expect(verifyGroth16(vkey, signals as unknown as string[], proof)).rejects.toThrow(/"publicSignals(\[0\])?" expected/);
      });
    }
    it('throws for a proof of another protocol', async () => {
      const vkey = await loadVerificationKey('tiny', 'test', out());
      await expect(verifyGroth16(vkey, publicSignals, { ...proof, protocol: 'plonk' } as unknown as Groth16Proof)).rejects.toThrow(/"proof\.protocol" expected "groth16"/);
    });
    it('throws for a point with a missing coordinate', async () => {
      const vkey = await loadVerificationKey('tiny', 'test', out());
      await expect(verifyGroth16(vkey, publicSignals, { ...proof, pi_c: proof.pi_c.slice(0, 2) })).rejects.toThrow(/"proof\.pi_c" expected an array of 3 coordinates/);
    });
  });

  describe('when the witness input violates the circuit', () => {
    it('throws WITNESS_FAILED', async () => {
      await expect(proveGroth16('tiny', 'test', { a: 3 }, out())).rejects.toMatchObject({ code: 'WITNESS_FAILED' });
    });
  });

  describe('when the zkey was altered after setup', () => {
    it('refuses to prove with it, naming the file', async () => {
      const copy = join(dir, 'out-copy');
      rmSync(copy, { recursive: true, force: true });
      await runSetup(opts({ outDir: copy }));
      const zkey = join(copy, 'tiny', 'tiny.zkey');
      const b = readFileSync(zkey);
      b[100] ^= 0x01;
      writeFileSync(zkey, b);
      await expect(proveGroth16('tiny', 'test', { a: 3, b: 5 }, copy)).rejects.toThrow(/tiny\/tiny\.zkey \(sha256 .*do not match the manifest/);
    });
  });

  describe('when the circuit has no keys in the folder', () => {
    it('throws NOT_FOUND and says to run setup', async () => {
      await expect(proveGroth16('membership', 'test', {}, out())).rejects.toThrow(/no keys for circuit "membership" .*canopy setup --profile test/);
    });
  });
});
