// circuits/toolchain/manifest.ts: the manifest round-trips byte for byte, and any
// altered, resized or missing artifact is caught and named.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ARTIFACT_KINDS,
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  artifactFile,
  parseManifest,
  readManifest,
  setupKey,
  stableJson,
  verifyManifest,
  writeManifest,
  type ArtifactKind,
  type Manifest,
} from '../../circuits/toolchain/manifest.ts';
import { CanopyError } from '../../core/errors.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const h64 = (c: string) => c.repeat(64);
const h128 = (c: string) => c.repeat(128);

let dir: string;

async function fixture(): Promise<Manifest> {
  mkdirSync(join(dir, 'tiny'), { recursive: true });
  const names: Record<ArtifactKind, string> = { r1cs: 'tiny.r1cs', wasm: 'tiny.wasm', zkey: 'tiny.zkey', vkey: 'tiny.vkey.json', transcript: 'tiny.phase2.json' };
  const files = {} as Manifest['circuits'][string]['files'];
  for (const kind of ARTIFACT_KINDS) {
    writeFileSync(join(dir, 'tiny', names[kind]), `${kind} bytes of the tiny circuit\n`.repeat(8));
    files[kind] = await artifactFile(dir, `tiny/${names[kind]}`);
  }
  return {
    format: MANIFEST_FORMAT,
    profile: 'test',
    snarkjs: '0.7.6',
    circuits: {
      tiny: {
        circuit: 'tiny',
        profile: 'test',
        template: 'Tiny',
        params: { n: 3 },
        publicSignals: ['c', 'b'],
        constraints: { total: 4, nonLinear: 4, linear: 0 },
        publicInputs: 1,
        publicOutputs: 1,
        privateInputs: 1,
        wires: 7,
        compiler: 'circom2@0.2.23',
        sourceKey: h64('a'),
        setupKey: setupKey(h64('a'), h64('b'), 'tiny'),
        ptau: { file: 'pot.ptau', sha256: h64('b'), power: 6, source: 'file', forProduction: true },
        phase2: { circuitHash: h128('c'), contributionHash: h128('d'), beaconHash: h64('e'), beaconIterationsExp: 10 },
        files,
      },
    },
  };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'canopy-manifest-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('artifactFile', () => {
  describe('when hashing a file', () => {
    it('records its relative path, SHA-256 and size', async () => {
      writeFileSync(join(dir, 'a.bin'), 'abc');
      expect(await artifactFile(dir, 'a.bin')).toEqual({ path: 'a.bin', sha256: sha('abc'), bytes: 3 });
    });
  });
  describe('when the path leaves the folder', () => {
    for (const p of ['../x', '/etc/passwd', 'a/../../x', './a', 'a//b', '']) {
      it(`rejects ${JSON.stringify(p)}`, async () => {
        await expect(artifactFile(dir, p)).rejects.toThrow(RangeError);
      });
    }
  });
});

describe('writeManifest', () => {
  describe('when written and read back', () => {
    it('round-trips to an equal value', async () => {
      const m = await fixture();
      writeManifest(dir, m);
      expect(readManifest(dir)).toEqual(m);
    });
    it('writes keys sorted at every level, so equal content gives equal bytes', async () => {
      const m = await fixture();
      writeManifest(dir, m);
      const first = readFileSync(join(dir, MANIFEST_FILE), 'utf8');
      // Same content, keys inserted in reverse order.
      const reversed = JSON.parse(JSON.stringify(m), function (this: unknown, _k, v) {
        return v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v;
      }) as Manifest;
      writeManifest(dir, reversed);
      expect(readFileSync(join(dir, MANIFEST_FILE), 'utf8')).toBe(first);
      expect(first.indexOf('"circuits"')).toBeLessThan(first.indexOf('"format"'));
      expect(first.indexOf('"r1cs"')).toBeGreaterThan(first.indexOf('"files"'));
      expect(first.endsWith('}\n')).toBe(true);
    });
  });
  describe('when the manifest is malformed', () => {
    it('refuses to write it', async () => {
      const m = await fixture();
      m.circuits.tiny!.files.zkey.sha256 = 'nothex';
      expect(() => writeManifest(dir, m)).toThrow(/files\.zkey\.sha256 expected a string matching/);
    });
  });
});

describe('stableJson', () => {
  describe('when given nested objects and arrays', () => {
    it('sorts object keys and keeps array order', () => {
      expect(stableJson({ b: 1, a: [{ d: 1, c: 2 }, 0] })).toBe('{\n  "a": [\n    {\n      "c": 2,\n      "d": 1\n    },\n    0\n  ],\n  "b": 1\n}\n');
    });
  });
});

describe('setupKey', () => {
  describe('when any input changes', () => {
    it('changes', () => {
      const k = setupKey(h64('a'), h64('b'), 'tiny');
      expect(setupKey(h64('a'), h64('b'), 'tiny')).toBe(k);
      expect(setupKey(h64('f'), h64('b'), 'tiny')).not.toBe(k);
      expect(setupKey(h64('a'), h64('f'), 'tiny')).not.toBe(k);
      expect(setupKey(h64('a'), h64('b'), 'tinz')).not.toBe(k);
    });
  });
  describe('when a hash is not 64 hex digits', () => {
    it('throws RangeError', () => {
      expect(() => setupKey('a', h64('b'), 'tiny')).toThrow(RangeError);
      expect(() => setupKey(h64('a'), h64('B'), 'tiny')).toThrow(RangeError);
    });
  });
});

describe('verifyManifest', () => {
  describe('when every file matches', () => {
    it('reports the files and bytes checked', async () => {
      const m = await fixture();
      writeManifest(dir, m);
      const r = await verifyManifest(dir);
      expect(r.files).toBe(ARTIFACT_KINDS.length);
      expect(r.bytes).toBe(ARTIFACT_KINDS.reduce((n, k) => n + m.circuits.tiny!.files[k].bytes, 0));
    });
  });

  describe('when one byte of an artifact is altered', () => {
    for (const kind of ARTIFACT_KINDS) {
      it(`throws ARTIFACT_MISMATCH naming the ${kind} file`, async () => {
        const m = await fixture();
        writeManifest(dir, m);
        const path = join(dir, m.circuits.tiny!.files[kind].path);
        const bytes = readFileSync(path);
        bytes[5] ^= 0x01;
        writeFileSync(path, bytes);
        const err = await verifyManifest(dir).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(CanopyError);
        expect((err as CanopyError).code).toBe('ARTIFACT_MISMATCH');
        expect((err as CanopyError).message).toContain(`${m.circuits.tiny!.files[kind].path} (sha256 `);
        // Only the altered file is named.
        for (const other of ARTIFACT_KINDS.filter((k) => k !== kind)) expect((err as CanopyError).message).not.toContain(m.circuits.tiny!.files[other].path);
      });
    }
  });

  describe('when an artifact is truncated', () => {
    it('names the file and both sizes', async () => {
      const m = await fixture();
      writeManifest(dir, m);
      writeFileSync(join(dir, 'tiny', 'tiny.zkey'), 'short');
      await expect(verifyManifest(dir)).rejects.toThrow(`tiny/tiny.zkey (5 bytes, manifest says ${m.circuits.tiny!.files.zkey.bytes})`);
    });
  });

  describe('when an artifact is missing', () => {
    it('names it', async () => {
      writeManifest(dir, await fixture());
      rmSync(join(dir, 'tiny', 'tiny.wasm'));
      await expect(verifyManifest(dir)).rejects.toThrow('tiny/tiny.wasm (missing)');
    });
  });

  describe('when there is no manifest', () => {
    it('throws NOT_FOUND', async () => {
      await expect(verifyManifest(dir)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('when asked for a circuit the manifest lacks', () => {
    it('throws NOT_FOUND naming it', async () => {
      writeManifest(dir, await fixture());
      await expect(verifyManifest(dir, ['membership'])).rejects.toThrow(/has no circuit "membership"/);
    });
  });
});

describe('parseManifest', () => {
  const parse = async (mutate: (m: any) => void) => {
    const m = JSON.parse(JSON.stringify(await fixture()));
    mutate(m);
    return () => parseManifest(m, 'm.json');
  };

  describe('when a file path leaves the folder', () => {
    it('rejects it (the manifest is input)', async () => {
      expect(await parse((m) => (m.circuits.tiny.files.zkey.path = '../../../etc/passwd'))).toThrow(/files\.zkey\.path expected a relative path inside the setup folder/);
    });
  });
  describe('when the format tag differs', () => {
    it('rejects it', async () => {
      expect(await parse((m) => (m.format = 'canopy-setup-manifest/2'))).toThrow(/^m\.json: format expected/);
    });
  });
  describe('when an entry has an unknown key', () => {
    it('rejects it', async () => {
      expect(await parse((m) => (m.circuits.tiny.extra = 1))).toThrow(/circuits\.tiny expected only keys/);
    });
  });
  describe('when an entry lacks an artifact', () => {
    it('rejects it', async () => {
      expect(await parse((m) => delete m.circuits.tiny.files.vkey)).toThrow(/circuits\.tiny\.files\.vkey expected a value/);
    });
  });
  describe('when an entry is filed under another id or profile', () => {
    it('rejects a mismatched id', async () => {
      expect(await parse((m) => (m.circuits.other = m.circuits.tiny))).toThrow(/circuits\.other\.circuit expected "other"/);
    });
    it('rejects a mismatched profile', async () => {
      expect(await parse((m) => (m.circuits.tiny.profile = 'demo'))).toThrow(/circuits\.tiny\.profile expected "test"/);
    });
  });
  describe('when a phase-2 hash has the wrong length', () => {
    it('rejects it', async () => {
      expect(await parse((m) => (m.circuits.tiny.phase2.contributionHash = h64('c')))).toThrow(/phase2\.contributionHash/);
    });
  });
  describe('when ptau.forProduction is not a boolean', () => {
    it('rejects it', async () => {
      expect(await parse((m) => (m.circuits.tiny.ptau.forProduction = 'no'))).toThrow(/ptau\.forProduction expected a boolean/);
    });
  });
});

describe('parseManifest with prototype keys', () => {
  describe('when a circuit id is __proto__', () => {
    it('rejects it', async () => {
      const m = JSON.parse(JSON.stringify(await fixture()));
      const text = JSON.stringify(m).replace('"tiny":{', '"__proto__":{');
      expect(() => parseManifest(JSON.parse(text), 'm.json')).toThrow(/circuits expected ids matching/);
    });
  });
});
