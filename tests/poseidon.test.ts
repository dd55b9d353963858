import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Field } from '@noble/curves/abstract/modular.js';
import { grainGenConstants } from '@noble/curves/abstract/poseidon.js';
import { bn254 } from '@noble/curves/bn254.js';
import { buildPoseidon } from 'circomlibjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { poseidon, POSEIDON_MAX_INPUTS } from '../core/poseidon.ts';
import { BN254_R, MDS_HEX, ROUNDS_FULL, ROUNDS_PARTIAL } from '../core/poseidon-bn254.ts';
import { expectInputError, HOSTILE_INPUTS, isFieldElement, R } from './hostile-inputs.ts';

interface VectorFile {
  source: string;
  vectors: { name: string; inputs: string[]; output: string }[];
}
const stored = JSON.parse(readFileSync(new URL('./vectors/circomlib/poseidon.json', import.meta.url), 'utf8')) as VectorFile;

// Deterministic test inputs: xorshift64* words assembled into 256-bit values, reduced mod r.
function randomFieldElements(seed: bigint, count: number): bigint[] {
  let s = seed;
  const next = () => {
    s ^= s >> 12n;
    s ^= (s << 25n) & 0xffffffffffffffffn;
    s ^= s >> 27n;
    return (s * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn;
  };
  return Array.from({ length: count }, () => ((next() << 192n) | (next() << 128n) | (next() << 64n) | next()) % R);
}

describe('BN254_R', () => {
  it("equals @noble/curves' bn254 Fr order", () => {
    expect(BN254_R).toBe(bn254.fields.Fr.ORDER);
  });
});

describe('poseidon-bn254 constants', () => {
  const require = createRequire(import.meta.url);
  const circomlibjsDir = join(require.resolve('circomlibjs'), '../..');
  const reference = JSON.parse(readFileSync(join(circomlibjsDir, 'src/poseidon_constants.json'), 'utf8')) as {
    C: string[][];
    M: string[][][];
  };

  describe('when compared with circomlibjs src/poseidon_constants.json', () => {
    it.each(Array.from({ length: POSEIDON_MAX_INPUTS }, (_, i) => i + 2))('t = %i: Grain round constants and MDS match', (t) => {
      const { roundConstants } = grainGenConstants({
        Fp: Field(BN254_R),
        t,
        roundsFull: ROUNDS_FULL,
        roundsPartial: ROUNDS_PARTIAL[t - 2]!,
        sboxPower: 5,
      });
      const flat = roundConstants.flat();
      const want = reference.C[t - 2]!.map((h) => BigInt(h));
      expect(flat.length).toBe((ROUNDS_FULL + ROUNDS_PARTIAL[t - 2]!) * t);
      expect(flat).toEqual(want);
      const mds = MDS_HEX[t - 2]!.map((row) => row.map((h) => BigInt(`0x${h}`)));
      expect(mds).toEqual(reference.M[t - 2]!.map((row) => row.map((h) => BigInt(h))));
    });
  });
});

describe('poseidon', () => {
  describe('when given the circomlib test vector', () => {
    it('poseidon([1, 2]) = 7853200120776062878684798364095072458815029376092732009249414926327459813530', () => {
      expect(poseidon([1n, 2n])).toBe(7853200120776062878684798364095072458815029376092732009249414926327459813530n);
    });
  });

  describe('when given the stored circomlibjs vectors (tests/vectors/circomlib/poseidon.json)', () => {
    it('covers every width 1..16', () => {
      const widths = new Set(stored.vectors.map((v) => v.inputs.length));
      expect([...widths].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    });

    it.each(stored.vectors.map((v) => [v.name, v] as const))('%s', (name, v) => {
      const got = poseidon(v.inputs.map((s) => BigInt(s)));
      expect(String(got), `${name}: poseidon(${v.inputs.join(', ')}) = ${got}, want ${v.output}`).toBe(v.output);
    });
  });

  describe('when compared live with circomlibjs buildPoseidon', () => {
    let reference: Awaited<ReturnType<typeof buildPoseidon>>;
    beforeAll(async () => {
      reference = await buildPoseidon();
    });

    it.each(Array.from({ length: POSEIDON_MAX_INPUTS }, (_, i) => i + 1))('agrees on random inputs of width %i', (n) => {
      for (let round = 0; round < 3; round++) {
        const inputs = randomFieldElements(BigInt(n * 1000 + round + 1), n);
        const want = reference.F.toObject(reference(inputs));
        const got = poseidon(inputs);
        expect(got, `poseidon(${inputs.join(', ')}) = ${got}, want ${want}`).toBe(want);
      }
    });

    it('agrees at the field edges 0, 1, r − 1 in every position of width 3', () => {
      for (const a of [0n, 1n, R - 1n]) {
        for (const b of [0n, 1n, R - 1n]) {
          for (const c of [0n, 1n, R - 1n]) {
            expect(poseidon([a, b, c])).toBe(reference.F.toObject(reference([a, b, c])));
          }
        }
      }
    });
  });

  describe('when the number of inputs is out of 1..16', () => {
    it('rejects 0 inputs with a RangeError naming "inputs"', () => {
      expectInputError(() => poseidon([]), 'inputs', 'range');
    });

    it('rejects 17 inputs with a RangeError naming "inputs"', () => {
      expectInputError(() => poseidon(Array.from({ length: 17 }, () => 1n)), 'inputs', 'range');
    });

    it('accepts 16 inputs', () => {
      expect(isFieldElement(poseidon(Array.from({ length: 16 }, () => 1n)))).toBe(true);
    });
  });

  describe('when an input is not a field element', () => {
    it.each([0, 1, 5])('rejects r at position %i with a RangeError naming inputs[%i]', (i) => {
      const inputs = [1n, 2n, 3n, 4n, 5n, 6n];
      inputs[i] = R;
      expectInputError(() => poseidon(inputs), `inputs[${i}]`, 'range');
    });

    it.each(HOSTILE_INPUTS.filter((h) => !isFieldElement(h.value)).map((h) => [h.name, h.value]))(
      'rejects %s as inputs[1]',
      (_name, value) => {
        expectInputError(() => poseidon([1n, value as bigint]), 'inputs[1]');
      },
    );

    it('rejects a sparse array', () => {
      // eslint-disable-next-line no-sparse-arrays
      expectInputError(() => poseidon([1n, , 2n] as bigint[]), 'inputs[1]', 'type');
    });
  });

  describe('when `inputs` is not an array', () => {
    it.each(HOSTILE_INPUTS.filter((h) => !Array.isArray(h.value)).map((h) => [h.name, h.value]))('rejects %s', (_name, value) => {
      expectInputError(() => poseidon(value as bigint[]), 'inputs', 'type');
    });
  });

  describe('when given a field element', () => {
    it('returns a field element and differs from its neighbours', () => {
      const h = poseidon([R - 1n]);
      expect(isFieldElement(h)).toBe(true);
      expect(poseidon([0n])).not.toBe(h);
      expect(poseidon([R - 1n, 0n])).not.toBe(h);
    });
  });
});
