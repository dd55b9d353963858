// Circuit tests of circuits/lib/pack_bytes.circom against core/pack-bytes.ts: the circuit
// unpacks exactly what packBytes packs, refuses exactly the elements unpackBytes refuses,
// and rejects hand-written witnesses whose bytes leave [0, 256) while still summing to
// the element modulo r.
//
// Constraints measured (circom 2.2.3, --O2, element(s) public so the optimiser keeps
// them): UnpackBytes(n) = PackBytes(n) = 8n non-linear + 1 linear; UnpackByteString(40)
// = 320 + 2.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CompiledCircuit } from '../../circuits/toolchain/compile.ts';
import { packBytes, unpackBytes } from '../../core/pack-bytes.ts';
import {
  compileTemplate,
  expectUnsatisfied,
  expectWitnessFails,
  fr,
  honestWitness,
  mainArray,
  mainSignal,
  R,
  setSignals,
} from './_circuit-test.ts';

const FILE = 'circuits/lib/pack_bytes.circom';

/** Deterministic test bytes: SHA-256 stream of a label. */
function pseudoRandomBytes(label: string, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 32) out.set(createHash('sha256').update(`canopy/pack-bytes-circuit/${label}/${i}`).digest().subarray(0, Math.min(32, n - i)), i);
  return out;
}

function samples(n: number): [string, Uint8Array][] {
  return [
    ['zeros', new Uint8Array(n)],
    ['0xff bytes', new Uint8Array(n).fill(255)],
    ['ascending', Uint8Array.from({ length: n }, (_, i) => i + 1)],
    ['pseudo-random', pseudoRandomBytes(`n${n}`, n)],
  ];
}

describe('UnpackBytes', () => {
  for (const n of [1, 2, 31]) {
    describe(`when nBytes = ${n}`, () => {
      const bound = 1n << BigInt(8 * n);
      let c: CompiledCircuit;
      beforeAll(async () => {
        c = await compileTemplate(FILE, 'UnpackBytes', [n], ['in']);
      });

      it(`has 8·${n} non-linear constraints and one linear (the sum)`, () => {
        expect([c.nonLinearConstraints, c.linearConstraints], `UnpackBytes(${n}) [non-linear, linear]`).toEqual([8 * n, 1]);
      });

      for (const [label, bytes] of samples(n)) {
        it(`returns the bytes packBytes packed (${label})`, async () => {
          const [e] = packBytes(bytes);
          const w = await honestWitness(c, { in: e! });
          const got = mainArray(c, w, 'out', n);
          expect(got, `UnpackBytes(${n})(${e})`).toEqual(Array.from(bytes, BigInt));
          expect(Array.from(unpackBytes([e!], n)), `unpackBytes([${e}], ${n})`).toEqual(Array.from(bytes));
        });
      }

      for (const [label, e] of [['256^n', bound], ['256^n + 1', bound + 1n], ['2^248', 1n << 248n], ['r − 1', R - 1n]] as const) {
        it(`does not accept ${label}, which unpackBytes also refuses`, async () => {
          await expectWitnessFails(c, { in: e });
          expect(() => unpackBytes([e], n), `unpackBytes([${label}], ${n})`).toThrow(RangeError);
        });
      }

      if (n >= 2) {
        it('does not accept a byte ≥ 256 rebalanced by its neighbour', async () => {
          const bytes = samples(n)[2]![1]; // ascending: byte 1 is 2, so it can give one away
          const w = await honestWitness(c, { in: packBytes(bytes)[0]! });
          const [b0, b1] = [mainSignal(c, w, 'out[0]'), mainSignal(c, w, 'out[1]')];
          // (b0 + 256) + 256·(b1 − 1) = b0 + 256·b1: same element, byte 0 out of range.
          await expectUnsatisfied(c, setSignals(c, w, { 'main.out[0]': b0 + 256n, 'main.out[1]': b1 - 1n }));
        });

        it('does not accept a "negative" byte r − 256 + b0 that sums correctly mod r', async () => {
          const bytes = samples(n)[2]![1];
          const w = await honestWitness(c, { in: packBytes(bytes)[0]! });
          const [b0, b1] = [mainSignal(c, w, 'out[0]'), mainSignal(c, w, 'out[1]')];
          // (b0 − 256) + 256·(b1 + 1) ≡ b0 + 256·b1 (mod r).
          await expectUnsatisfied(c, setSignals(c, w, { 'main.out[0]': fr(b0 - 256n), 'main.out[1]': b1 + 1n }));
        });
      }

      it('does not accept a changed element with the bytes left as they were', async () => {
        const w = await honestWitness(c, { in: 5n });
        await expectUnsatisfied(c, setSignals(c, w, { 'main.in': 6n }));
        await expectUnsatisfied(c, setSignals(c, w, { 'main.in': 5n + R - bound }));
      });
    });
  }

  describe('when nBytes is outside [1, 31]', () => {
    for (const n of [0, 32]) {
      it(`refuses to compile UnpackBytes(${n})`, async () => {
        await expect(compileTemplate(FILE, 'UnpackBytes', [n])).rejects.toMatchObject({ code: 'CIRCUIT_COMPILE_FAILED', message: expect.stringContaining('False assert reached') });
      });
    }
  });
});

describe('PackBytes', () => {
  for (const n of [1, 31]) {
    describe(`when nBytes = ${n}`, () => {
      let c: CompiledCircuit;
      beforeAll(async () => {
        c = await compileTemplate(FILE, 'PackBytes', [n], ['in']);
      });

      it(`has 8·${n} non-linear constraints and one linear (the sum)`, () => {
        expect([c.nonLinearConstraints, c.linearConstraints], `PackBytes(${n}) [non-linear, linear]`).toEqual([8 * n, 1]);
      });

      for (const [label, bytes] of samples(n)) {
        it(`computes packBytes (${label})`, async () => {
          const w = await honestWitness(c, { in: Array.from(bytes, BigInt) });
          const got = mainSignal(c, w, 'out');
          expect(got, `PackBytes(${n})(${label}) = ${got}, want ${packBytes(bytes)[0]}`).toBe(packBytes(bytes)[0]);
        });
      }

      for (const [label, v] of [['256', 256n], ['r − 1', R - 1n]] as const) {
        it(`does not accept a byte ${label}`, async () => {
          const input = Array.from({ length: n }, () => 0n);
          input[n - 1] = v;
          await expectWitnessFails(c, { in: input });
        });
      }
    });
  }

  describe('when a prover rebalances two bytes to keep the element', () => {
    it('fails the range check of the byte pushed past 255', async () => {
      const c = await compileTemplate(FILE, 'PackBytes', [31], ['in']);
      const bytes = samples(31)[2]![1];
      const w = await honestWitness(c, { in: Array.from(bytes, BigInt) });
      const [b0, b1] = [BigInt(bytes[0]!), BigInt(bytes[1]!)];
      await expectUnsatisfied(c, setSignals(c, w, { 'main.in[0]': b0 + 256n, 'main.in[1]': b1 - 1n }));
      await expectUnsatisfied(c, setSignals(c, w, { 'main.in[0]': fr(b0 - 256n), 'main.in[1]': b1 + 1n }));
    });
  });

  describe('when nBytes is outside [1, 31]', () => {
    it('refuses to compile PackBytes(32)', async () => {
      await expect(compileTemplate(FILE, 'PackBytes', [32])).rejects.toMatchObject({ code: 'CIRCUIT_COMPILE_FAILED', message: expect.stringContaining('False assert reached') });
    });
  });
});

describe('UnpackByteString', () => {
  describe('when nBytes = 40 (one full chunk and one of 9 bytes)', () => {
    const n = 40;
    let c: CompiledCircuit;
    beforeAll(async () => {
      c = await compileTemplate(FILE, 'UnpackByteString', [n], ['in']);
    });

    it('has 8·40 = 320 non-linear constraints and one linear per chunk', () => {
      expect([c.nonLinearConstraints, c.linearConstraints], 'UnpackByteString(40) [non-linear, linear]').toEqual([320, 2]);
    });

    for (const [label, bytes] of samples(n)) {
      it(`returns the bytes packBytes packed (${label})`, async () => {
        const elements = packBytes(bytes);
        expect(elements.length, 'packBytes(40 bytes).length').toBe(2);
        const w = await honestWitness(c, { in: elements });
        expect(mainArray(c, w, 'out', n), `UnpackByteString(40)(${label})`).toEqual(Array.from(bytes, BigInt));
      });
    }

    it('does not accept a last chunk with non-zero padding, which unpackBytes also refuses', async () => {
      const elements = packBytes(samples(n)[3]![1]);
      const bad = [elements[0]!, elements[1]! + (1n << 72n)]; // byte 9 of chunk 1 = byte 40 of the string
      await expectWitnessFails(c, { in: bad });
      expect(() => unpackBytes(bad, n), 'unpackBytes(padding ≠ 0, 40)').toThrow(RangeError);
    });

    it('does not accept a first chunk ≥ 2^248', async () => {
      await expectWitnessFails(c, { in: [1n << 248n, 0n] });
    });

    it('does not let a prover swap bytes across the chunk boundary', async () => {
      const bytes = samples(n)[2]![1]; // ascending: bytes 30 and 31 differ
      const w = await honestWitness(c, { in: packBytes(bytes) });
      await expectUnsatisfied(c, setSignals(c, w, { 'main.out[30]': BigInt(bytes[31]!), 'main.out[31]': BigInt(bytes[30]!) }));
    });
  });
});
