// Plot masks: canonical form, byte serialisation (hand-checked layout), strict parsing,
// and the Poseidon hash recomputed here from its definition.
import { describe, expect, it } from 'vitest';
import { HOSTILE_INPUTS, expectInputError } from '../hostile-inputs.ts';
import { tagFromName } from '../../core/domain.ts';
import { poseidon } from '../../core/poseidon.ts';
import {
  assertPlotMask,
  EMPTY_PLOT_MASK,
  maskFromPredicate,
  maskHas,
  maskPixelCount,
  parsePlotMask,
  plotMaskHash,
  serialisePlotMask,
  type PlotMask,
} from '../../core/geo/plot-mask.ts';

// An L-shaped mask, 3 wide and 2 high at (col 5, row 7):
//     row 7: # . .
//     row 8: # # #
// bits i = r·3 + c: 0, 3, 4, 5 → byte 0b00111001 = 0x39.
const L: PlotMask = { col0: 5, row0: 7, width: 3, height: 2, bits: Uint8Array.of(0x39) };
const L_BYTES = Uint8Array.of(0, 0, 0, 5, 0, 0, 0, 7, 0, 0, 0, 3, 0, 0, 0, 2, 0x39);

describe('maskFromPredicate', () => {
  describe('when the set pixels do not fill the window', () => {
    it('shrinks the window to them and lays bits out row-major, LSB first', () => {
      const m = maskFromPredicate({ col0: 3, row0: 5, width: 6, height: 5 }, (c, r) => (r === 2 && c === 2) || (r === 3 && c >= 2 && c <= 4));
      expect(m).toEqual(L);
      assertPlotMask(m);
    });
  });
  describe('when no pixel is set', () => {
    it('returns the empty mask', () => {
      expect(maskFromPredicate({ col0: 3, row0: 5, width: 6, height: 5 }, () => false)).toBe(EMPTY_PLOT_MASK);
    });
  });
});

describe('maskHas and maskPixelCount', () => {
  it('read the bits at grid coordinates, false outside the window', () => {
    expect([maskHas(L, 5, 7), maskHas(L, 6, 7), maskHas(L, 5, 8), maskHas(L, 7, 8), maskHas(L, 8, 8), maskHas(L, 4, 7), maskHas(L, 5, 9)]).toEqual([true, false, true, true, false, false, false]);
    expect(maskPixelCount(L)).toBe(4);
    expect(maskPixelCount(EMPTY_PLOT_MASK)).toBe(0);
  });
});

describe('serialisePlotMask', () => {
  it('writes the 16-byte big-endian header and the bits', () => {
    expect(serialisePlotMask(L)).toEqual(L_BYTES);
    expect(serialisePlotMask(EMPTY_PLOT_MASK)).toEqual(new Uint8Array(16));
  });
  it('refuses a mask that is not canonical', () => {
    expect(() => serialisePlotMask({ ...L, bits: Uint8Array.of(0x38) })).toThrow(/tight window/); // first column empty
    expect(() => serialisePlotMask({ ...L, bits: Uint8Array.of(0x79) })).toThrow(/zero padding bits/);
    expect(() => serialisePlotMask({ ...L, bits: Uint8Array.of(0x39, 0) })).toThrow(/"mask.bits" expected 1 bytes/);
    expect(() => serialisePlotMask({ ...EMPTY_PLOT_MASK, col0: 3 })).toThrow(/empty mask/);
    expect(() => serialisePlotMask({ ...L, width: 0 })).toThrow(/"mask.height" expected 0 exactly when width is 0/);
  });
});

describe('parsePlotMask', () => {
  it('inverts serialisePlotMask', () => {
    expect(parsePlotMask(L_BYTES)).toEqual(L);
    expect(parsePlotMask(new Uint8Array(16))).toEqual(EMPTY_PLOT_MASK);
  });
  describe('when any single bit of the serialisation is flipped', () => {
    it('refuses the bytes or parses a different mask with a different hash', () => {
      const h = plotMaskHash(L);
      for (let i = 0; i < L_BYTES.length * 8; i++) {
        const b = L_BYTES.slice();
        b[i >> 3]! ^= 1 << (i & 7);
        let m: PlotMask;
        try {
          m = parsePlotMask(b);
        } catch (e) {
          expect(e, `bit ${i}`).toBeInstanceOf(RangeError);
          continue;
        }
        expect(plotMaskHash(m), `bit ${i}`).not.toBe(h);
      }
    });
  });
  it('refuses short, long and non-canonical input', () => {
    expect(() => parsePlotMask(L_BYTES.slice(0, 15))).toThrow(/at least 16 bytes/);
    expect(() => parsePlotMask(Uint8Array.of(...L_BYTES, 0))).toThrow(/17 bytes for a 3×2 window/);
    expect(() => parsePlotMask(Uint8Array.of(0, 0, 0, 5, 0, 0, 0, 7, 0, 0, 0, 3, 0, 0, 0, 2, 0x38))).toThrow(/tight window/);
    expect(() => parsePlotMask(Uint8Array.of(0xff, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 3, 0, 0, 0, 2, 0x39))).toThrow(/"bytes.col0" expected integer/);
  });
  it('refuses hostile values with a TypeError', () => {
    for (const { value } of HOSTILE_INPUTS) {
      if (value instanceof Uint8Array) continue;
      expectInputError(() => parsePlotMask(value as Uint8Array), 'bytes', 'type');
    }
  });
});

describe('plotMaskHash', () => {
  // Recomputed from the definition: bits packed 31 bytes per element, chained 14 per
  // Poseidon(16) call under the SEQUENCE tag, then Poseidon(PLOT_MASK tag, header, digest).
  function definition(m: PlotMask): bigint {
    const elements: bigint[] = [];
    for (let i = 0; i < m.bits.length; i += 31) {
      let e = 0n;
      for (let j = Math.min(m.bits.length, i + 31) - 1; j >= i; j--) e = (e << 8n) | BigInt(m.bits[j]!);
      elements.push(e);
    }
    let s = 0n;
    for (let i = 0; i < elements.length; i += 14) {
      const block = elements.slice(i, i + 14);
      while (block.length < 14) block.push(0n);
      s = poseidon([tagFromName('canopy/sequence'), s, ...block]);
    }
    return poseidon([tagFromName('canopy/plot-mask'), BigInt(m.col0), BigInt(m.row0), BigInt(m.width), BigInt(m.height), s]);
  }

  it('matches its definition on small and multi-block masks', () => {
    expect(plotMaskHash(L)).toBe(definition(L));
    expect(plotMaskHash(EMPTY_PLOT_MASK)).toBe(definition(EMPTY_PLOT_MASK));
    // 64 × 64 with a diagonal: 512 bytes = 17 elements = 2 chain steps.
    const big = maskFromPredicate({ col0: 100, row0: 200, width: 64, height: 64 }, (c, r) => c === r || c === 0 || r === 63);
    expect(big.bits.length).toBe(512);
    expect(plotMaskHash(big)).toBe(definition(big));
  });

  it('binds the window: the same bits elsewhere or reshaped hash differently', () => {
    const row = { col0: 5, row0: 7, width: 4, height: 1, bits: Uint8Array.of(0x0f) };
    const square = { col0: 5, row0: 7, width: 2, height: 2, bits: Uint8Array.of(0x0f) };
    const moved = { ...row, col0: 6 };
    expect(new Set([plotMaskHash(row), plotMaskHash(square), plotMaskHash(moved)]).size).toBe(3);
  });

  it('stays the frozen value of the L mask (changing the format changes every attestation)', () => {
    expect(plotMaskHash(L).toString()).toBe(FROZEN_L_HASH);
  });
});

// Computed once by plotMaskHash(L) on the format above and frozen.
const FROZEN_L_HASH = '4871703207796010799571070516470878645404263708875263416738960342804241644504';
