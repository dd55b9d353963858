// circuits/toolchain/ptau.ts: reading, checking and making powers-of-tau files.
//
// Every ptau here is a THROWAWAY made in a temporary folder at a tiny power (2^3, 2^4)
// so the tests take seconds; none is used for anything but these assertions. One of
// them, made by `ptauNew` alone, has NO CONTRIBUTION on purpose: it exists only to show
// that such a file is refused.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileMain } from '../../circuits/toolchain/compile.ts';
import { BUILD_DIR, PROJECT_ROOT } from '../../circuits/toolchain/project-root.ts';
import { assertPtauFits, BUNDLED_PTAU, BUNDLED_PTAU_POWER, BUNDLED_PTAU_SHA256, inspectPtau, localCeremony, ptauPowerFor, verifyPtau, type LocalCeremonyResult } from '../../circuits/toolchain/ptau.ts';
import { curveHolders, ptauContribute, ptauNew, ptauPreparePhase2, zkeyNew } from '../../circuits/toolchain/snarkjs.ts';
import { CanopyError } from '../../core/errors.ts';

let dir: string;
let ceremony: LocalCeremonyResult;
/** Throwaway: a fresh accumulator with NO contribution (must be refused everywhere). */
let noContribution: string;
/** Throwaway: one contribution, not prepared for phase 2. */
let unprepared: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'canopy-ptau-'));
  noContribution = join(dir, 'no_contribution.ptau');
  await ptauNew(3, noContribution);
  unprepared = join(dir, 'unprepared.ptau');
  await ptauContribute(noContribution, unprepared, 'only', 'test entropy');
  ceremony = await localCeremony({ power: 4, contributions: 2, outDir: join(dir, 'cer'), verify: true });
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('ptauPowerFor', () => {
  describe('when constraints + public signals + 1 is exactly 2^p', () => {
    it('returns p, for p = 1..28', () => {
      for (let p = 1; p <= 28; p++) {
        for (const pub of [0, 1, 2]) {
          const n = 2 ** p - 1 - pub;
          if (n < 0) continue;
          expect(ptauPowerFor(n, pub), `ptauPowerFor(${n}, ${pub})`).toBe(p);
        }
      }
    });
  });
  describe('when one more constraint is added', () => {
    it('returns p + 1', () => {
      for (let p = 1; p < 28; p++) expect(ptauPowerFor(2 ** p - 1, 1), `ptauPowerFor(2^${p} - 1, 1)`).toBe(p + 1);
    });
  });
  describe('when compared with the formula in snarkjs zkey_new.js', () => {
    it('agrees: power = floor(log2(constraints + public signals)) + 1', () => {
      for (const n of [1, 2, 3, 7, 8, 100, 1000, 1021, 1022, 1023, 4093, 70_000]) {
        for (const pub of [1, 2, 5]) expect(ptauPowerFor(n, pub), `ptauPowerFor(${n}, ${pub})`).toBe(Math.floor(Math.log2(n + pub)) + 1);
      }
    });
  });
  describe('when the circuit is empty', () => {
    it('returns the minimum power 1', () => {
      expect(ptauPowerFor(0, 0)).toBe(1);
    });
  });
  describe('when a count is not a non-negative safe integer', () => {
    for (const v of [-1, 1.5, Number.NaN, Infinity, '8', 8n, null]) {
      it(`throws for ${String(v)}`, () => {
        expect(() => ptauPowerFor(v as number, 1)).toThrow(/"constraints" expected/);
        expect(() => ptauPowerFor(1, v as number)).toThrow(/"publicSignals" expected/);
      });
    }
  });
  describe('when the circuit does not fit 2^28', () => {
    it('throws RangeError', () => {
      expect(() => ptauPowerFor(2 ** 28, 0)).toThrow(RangeError);
    });
  });
});

describe('ptauPowerFor against snarkjs zkey new', () => {
  // Tiny(n) has n + 1 constraints and 2 public signals; at power 4, n = 12 fills the
  // domain exactly (13 + 2 + 1 = 16) and n = 13 is one too many.
  // A fixed path under the (git-ignored) build folder, so the compile cache is reused.
  const file = join(BUILD_DIR, 'fixtures', 'setup-ptau-boundary.circom');
  const text =
    'pragma circom 2.1.9;\n// Throwaway circuit of tests/setup/ptau.test.ts.\ntemplate Tiny(n) {\n  signal input b;\n  signal input a;\n  signal output c;\n  signal acc[n + 1];\n  acc[0] <== a;\n  for (var i = 0; i < n; i++) acc[i + 1] <== acc[i] * a;\n  c <== acc[n] * b;\n}\n';
  beforeAll(() => {
    mkdirSync(dirname(file), { recursive: true });
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
  });

  for (const [n, fits] of [[12, true], [13, false]] as const) {
    it(`${fits ? 'accepts' : 'rejects'} ${n + 1} constraints + 2 public signals at power 4`, async () => {
      const c = await compileMain({ name: `ptau_boundary_${n}`, templateFile: relative(PROJECT_ROOT, file), template: 'Tiny', params: [n], publicInputs: ['b'] });
      expect(c.constraints).toBe(n + 1);
      expect(ptauPowerFor(c.constraints, c.publicInputs + c.publicOutputs)).toBe(fits ? 4 : 5);
      const made = zkeyNew(c.r1csPath, ceremony.ptauPath, join(dir, `boundary_${n}.zkey`));
      if (fits) await expect(made).resolves.toMatch(/^[0-9a-f]{128}$/);
      else await expect(made).rejects.toThrow(/circuit too big for this power of tau ceremony/);
    });
  }
});

describe('inspectPtau', () => {
  describe('when reading a local ceremony file', () => {
    it('lists the contributions and the beacon as snarkjs wrote them', () => {
      const info = inspectPtau(ceremony.ptauPath);
      expect(info.power).toBe(4);
      expect(info.ceremonyPower).toBe(4);
      expect(info.preparedPhase2).toBe(true);
      expect(info.contributions.map((c) => c.name)).toEqual(['canopy contribution 1', 'canopy contribution 2', 'canopy final beacon']);
      expect(info.contributions[2]!.beacon).toEqual({ hash: ceremony.transcript.beacon.hash, iterationsExp: 10 });
      expect(info.contributions[0]!.beacon).toBeUndefined();
      for (const c of info.contributions) expect(c.nextChallenge).toMatch(/^[0-9a-f]{128}$/);
      expect(new Set(info.contributions.map((c) => c.nextChallenge)).size).toBe(3);
    });
  });
  describe('when reading a file with no contribution (throwaway)', () => {
    it('reports zero contributions and not prepared', () => {
      const info = inspectPtau(noContribution);
      expect(info.contributions).toEqual([]);
      expect(info.preparedPhase2).toBe(false);
      expect(info.power).toBe(3);
    });
  });
  describe('when the file is not a ptau', () => {
    it('throws PTAU_INVALID for a wrong magic', () => {
      const f = join(dir, 'garbage.ptau');
      writeFileSync(f, Buffer.alloc(100, 7));
      expect(() => inspectPtau(f)).toThrow(/is not a usable ptau file: wrong magic/);
    });
    it('throws PTAU_INVALID for a truncated file', () => {
      const f = join(dir, 'truncated.ptau');
      writeFileSync(f, readFileSync(ceremony.ptauPath).subarray(0, 2000));
      expect(() => inspectPtau(f)).toThrow(CanopyError);
      expect(() => inspectPtau(f)).toThrow(/runs past the end of the file|truncated/);
    });
    it('throws PTAU_INVALID for a header naming another curve', () => {
      const f = join(dir, 'othercurve.ptau');
      const b = readFileSync(noContribution);
      // Header section data starts after magic, version, count (12) and the section header (12): n8, then q.
      b[12 + 12 + 4] ^= 0x01;
      writeFileSync(f, b);
      expect(() => inspectPtau(f)).toThrow(/curve is not BN254/);
    });
  });
  describe('when the file does not exist', () => {
    it('throws NOT_FOUND naming the path', () => {
      expect(() => inspectPtau(join(dir, 'nope.ptau'))).toThrow(/ptau file .*nope\.ptau does not exist/);
    });
  });
});

describe('assertPtauFits', () => {
  describe('when the ptau has no contribution (throwaway)', () => {
    it('refuses it', () => {
      expect(() => assertPtauFits(inspectPtau(noContribution), 'tiny', 1, 1)).toThrow(/has no contribution/);
    });
  });
  describe('when the ptau is not prepared for phase 2', () => {
    it('refuses it and says how to prepare it', () => {
      expect(() => assertPtauFits(inspectPtau(unprepared), 'tiny', 1, 1)).toThrow(/not prepared for phase 2: run `snarkjs powersoftau prepare phase2`/);
    });
  });
  describe('when the power is too small', () => {
    it('names the power needed and where to get a file', () => {
      const err = (() => {
        try {
          assertPtauFits(inspectPtau(ceremony.ptauPath), 'circuit big', 100, 2);
        } catch (e) {
          return e as CanopyError;
        }
      })();
      expect(err?.code).toBe('PTAU_INVALID');
      expect(err?.message).toMatch(/circuit big has 100 constraints and 2 public signals and needs a ptau of power 7; .* has power 4/);
      expect(err?.message).toContain('powersOfTau28_hez_final_08.ptau');
      expect(err?.message).toContain('canopy ptau ceremony --power 7');
    });
  });
  describe('when everything fits', () => {
    it('returns', () => {
      expect(() => assertPtauFits(inspectPtau(ceremony.ptauPath), 'tiny', 13, 2)).not.toThrow();
    });
  });
});

describe('verifyPtau', () => {
  describe('when checking the bundled file (2^14, about 25 s)', () => {
    it('verifies, carries the two contributions and the beacon, and has the recorded SHA-256', async () => {
      const r = await verifyPtau(BUNDLED_PTAU);
      expect(r.sha256).toBe(BUNDLED_PTAU_SHA256);
      expect(r.power).toBe(BUNDLED_PTAU_POWER);
      expect(r.preparedPhase2).toBe(true);
      expect(r.contributions.map((c) => c.name)).toEqual(['canopy contribution 1', 'canopy contribution 2', 'canopy final beacon']);
      // The beacon is the public statement of circuits/ptau/ceremony.sh.
      expect(r.contributions[2]!.beacon).toEqual({ hash: createHash('sha256').update('canopy powers of tau 2^14, not for production').digest('hex'), iterationsExp: 10 });
    });
  });
  describe('when the file is a sound ceremony output', () => {
    it('returns the report with its SHA-256', async () => {
      const r = await verifyPtau(ceremony.ptauPath);
      expect(r.sha256).toBe(createHash('sha256').update(readFileSync(ceremony.ptauPath)).digest('hex'));
      expect(r.log.some((l) => l.includes('Powers of Tau Ok!'))).toBe(true);
      expect(curveHolders()).toBe(0);
    });
  });
  describe('when the file has no contribution (throwaway)', () => {
    it('throws PTAU_INVALID quoting snarkjs', async () => {
      await expect(verifyPtau(noContribution)).rejects.toThrow(/does not verify: This file has no contribution/);
    });
  });
  describe('when a point of the file is altered', () => {
    it('does not verify', async () => {
      const f = join(dir, 'altered.ptau');
      const b = readFileSync(ceremony.ptauPath);
      // Flip a bit in the last point of the file (a Lagrange-basis point of section 15).
      b[b.length - 10] ^= 0x01;
      writeFileSync(f, b);
      await expect(verifyPtau(f)).rejects.toThrow(CanopyError);
    });
  });
});

describe('localCeremony', () => {
  describe('when it runs', () => {
    it('writes a transcript with every step and hash, and the file hash', () => {
      const t = ceremony.transcript;
      expect(t.steps.map((s) => s.step)).toEqual(['new', 'contribute', 'contribute', 'beacon', 'prepare phase2', 'verify']);
      for (const s of t.steps.filter((s) => s.step !== 'prepare phase2' && s.step !== 'verify')) expect(s.hash).toMatch(/^[0-9a-f]{128}$/);
      expect(t.beacon.hash).toBe(createHash('sha256').update('canopy powers of tau 2^4, local ceremony').digest('hex'));
      expect(t.sha256).toBe(createHash('sha256').update(readFileSync(ceremony.ptauPath)).digest('hex'));
      expect(JSON.parse(readFileSync(ceremony.transcriptJsonPath, 'utf8'))).toEqual(t);
      const text = readFileSync(ceremony.transcriptTextPath, 'utf8');
      for (const s of t.steps) if (s.hash) expect(text).toContain(s.hash);
    });
    it('leaves no intermediate file behind', () => {
      expect(readdirSync(join(dir, 'cer')).sort()).toEqual(['canopy_pot4_local.ptau', 'canopy_pot4_local.transcript.json', 'canopy_pot4_local.transcript.txt']);
    });
  });
  describe('when run twice with the same options', () => {
    it('makes different contributions (fresh entropy each time)', async () => {
      const again = await localCeremony({ power: 3, contributions: 1, outDir: join(dir, 'again'), verify: false });
      const first = await localCeremony({ power: 3, contributions: 1, outDir: join(dir, 'again'), fileName: 'second.ptau', verify: false });
      expect(again.transcript.steps[1]!.hash).not.toBe(first.transcript.steps[1]!.hash);
      expect(again.transcript.sha256).not.toBe(first.transcript.sha256);
      // The first challenge depends only on the power: the same for both.
      expect(again.transcript.steps[0]!.hash).toBe(first.transcript.steps[0]!.hash);
    });
  });
  describe('when options are out of range', () => {
    it('refuses zero contributions (the file would prove nothing)', async () => {
      await expect(localCeremony({ power: 3, contributions: 0, outDir: dir })).rejects.toThrow(/"contributions" expected integer in \[1, 16\], got 0/);
    });
    it('refuses a power above 28', async () => {
      await expect(localCeremony({ power: 29, contributions: 1, outDir: dir })).rejects.toThrow(/"power" expected integer in \[1, 28\]/);
    });
    it('refuses a beacon hash that is not 64 hex digits', async () => {
      await expect(localCeremony({ power: 3, contributions: 1, outDir: dir, beaconHash: 'xyz' })).rejects.toThrow(/"beaconHash" expected 64/);
    });
    it('refuses a file name with a folder in it', async () => {
      await expect(localCeremony({ power: 3, contributions: 1, outDir: dir, fileName: '../x.ptau' })).rejects.toThrow(/"fileName" expected a plain name/);
    });
  });
});

describe('ptauPreparePhase2', () => {
  describe('when preparing a copy of a contributed file', () => {
    it('adds the Lagrange sections (inspectPtau sees them)', async () => {
      const src = join(dir, 'to_prepare.ptau');
      copyFileSync(unprepared, src);
      await ptauPreparePhase2(src, join(dir, 'prepared.ptau'));
      expect(inspectPtau(join(dir, 'prepared.ptau')).preparedPhase2).toBe(true);
    });
  });
});
