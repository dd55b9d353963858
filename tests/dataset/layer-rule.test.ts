import { describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import { applyLayerRule, assertLayerRule, DEFAULT_CANOPY_THRESHOLD, HANSEN_RULE_NAME, hansenRule, LAYER_NODATA, layerPixel } from '../../core/raster/layer-rule.ts';
import { expectInputError, HOSTILE_INPUTS } from '../hostile-inputs.ts';
import { referenceLayer, syntheticHansen } from './_reference.ts';

describe('hansenRule', () => {
  describe('when called without a threshold', () => {
    it('is hansen-lossyear-treecover/v1 with canopyThreshold 10 (FAO / Whisp)', () => {
      expect(hansenRule()).toEqual({ name: 'hansen-lossyear-treecover/v1', params: { canopyThreshold: 10 } });
      expect(DEFAULT_CANOPY_THRESHOLD).toBe(10);
      expect(HANSEN_RULE_NAME).toBe('hansen-lossyear-treecover/v1');
    });
  });

  describe('when given a threshold outside 0..100 or not an integer', () => {
    it('throws naming canopyThreshold', () => {
      for (const { name, value } of HOSTILE_INPUTS) {
        const ok = typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= 100;
        if (ok) expect(hansenRule(value as number).params.canopyThreshold, name).toBe(value === 0 ? 0 : value);
        else if (value !== undefined) expectInputError(() => hansenRule(value as number), 'canopyThreshold');
      }
      expectInputError(() => hansenRule(101), 'canopyThreshold', 'range');
    });
  });
});

describe('layerPixel', () => {
  describe('when the cover is at the threshold boundary', () => {
    it('keeps the loss year for cover 11 % and drops it for 10 % at threshold 10', () => {
      const rule = hansenRule(10);
      expect(layerPixel(rule, 22, 11)).toBe(22);
      expect(layerPixel(rule, 22, 10)).toBe(0);
      expect(layerPixel(rule, 22, 9)).toBe(0);
      expect(layerPixel(rule, 22, 100)).toBe(22);
    });

    it('moves the boundary with the threshold: 31 % passes and 30 % fails at threshold 30', () => {
      expect(layerPixel(hansenRule(30), 5, 31)).toBe(5);
      expect(layerPixel(hansenRule(30), 5, 30)).toBe(0);
      expect(layerPixel(hansenRule(30), 5, 11)).toBe(0);
    });

    it('treats every cover above 0 as forest at threshold 0, and none at threshold 100', () => {
      expect(layerPixel(hansenRule(0), 7, 1)).toBe(7);
      expect(layerPixel(hansenRule(0), 7, 0)).toBe(0);
      expect(layerPixel(hansenRule(100), 7, 100)).toBe(0);
    });
  });

  describe('when there is no loss', () => {
    it('is 0 whatever the cover', () => {
      for (const c of [0, 10, 11, 100]) expect(layerPixel(hansenRule(), 0, c)).toBe(0);
    });
  });

  describe('when either source is nodata (255)', () => {
    it('is 255, also where the other pixel would give 0', () => {
      const rule = hansenRule();
      expect(layerPixel(rule, 255, 80)).toBe(LAYER_NODATA);
      expect(layerPixel(rule, 255, 0)).toBe(255);
      expect(layerPixel(rule, 0, 255)).toBe(255);
      expect(layerPixel(rule, 22, 255)).toBe(255);
      expect(layerPixel(rule, 255, 255)).toBe(255);
    });

    it('fails the EUDR predicate "loss year < 21" with no special case', () => {
      expect(layerPixel(hansenRule(), 255, 50) < 21).toBe(false);
    });
  });

  describe('when the cover is not a percentage (101..254)', () => {
    it('throws naming treeCover', () => {
      for (const c of [101, 150, 254]) expectInputError(() => layerPixel(hansenRule(), 0, c), 'treeCover', 'range');
    });
  });
});

describe('applyLayerRule', () => {
  describe('when given synthetic Hansen layers', () => {
    it('equals the rule written out pixel by pixel, for thresholds 0, 10, 30 and 100', () => {
      const { lossYear, treeCover } = syntheticHansen(64, 64, 7, 0.05);
      for (const t of [0, 10, 30, 100]) expect(applyLayerRule(hansenRule(t), lossYear, treeCover), `threshold ${t}`).toEqual(referenceLayer(lossYear, treeCover, t));
    });
  });

  describe('when given the doc example', () => {
    it('gives [0, 0, 21, 255]', () => {
      expect([...applyLayerRule(hansenRule(10), Uint8Array.of(0, 21, 21, 255), Uint8Array.of(50, 10, 11, 80))]).toEqual([0, 0, 21, 255]);
    });
  });

  describe('when a cover byte is in 101..254', () => {
    it('throws INVALID_INPUT naming the pixel index', () => {
      const cover = Uint8Array.of(10, 20, 200, 30);
      let thrown: unknown;
      try {
        applyLayerRule(hansenRule(), new Uint8Array(4), cover);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(CanopyError);
      expect((thrown as CanopyError).code).toBe('INVALID_INPUT');
      expect((thrown as Error).message).toMatch(/pixel 2 is 200/);
    });
  });

  describe('when the inputs differ in length or out is short', () => {
    it('throws naming the argument', () => {
      expectInputError(() => applyLayerRule(hansenRule(), new Uint8Array(3), new Uint8Array(4)), 'treeCover', 'range');
      expectInputError(() => applyLayerRule(hansenRule(), new Uint8Array(4), new Uint8Array(4), new Uint8Array(3)), 'out', 'range');
      expectInputError(() => applyLayerRule(hansenRule(), [1, 2] as never, new Uint8Array(2)), 'lossYear', 'type');
    });
  });
});

describe('assertLayerRule', () => {
  describe('when the rule has an unknown name, extra keys or a bad threshold', () => {
    it('throws naming the field', () => {
      expectInputError(() => assertLayerRule({ name: 'hansen-lossyear-treecover/v2', params: { canopyThreshold: 10 } }, 'rule'), 'rule.name', 'range');
      expectInputError(() => assertLayerRule({ name: HANSEN_RULE_NAME, params: { canopyThreshold: 10 }, extra: 1 }, 'rule'), 'rule.extra', 'range');
      expectInputError(() => assertLayerRule({ name: HANSEN_RULE_NAME, params: { canopyThreshold: 10, x: 1 } }, 'rule'), 'rule.params.x', 'range');
      expectInputError(() => assertLayerRule({ name: HANSEN_RULE_NAME, params: { canopyThreshold: '10' } }, 'rule'), 'rule.params.canopyThreshold', 'type');
      expectInputError(() => assertLayerRule({ name: HANSEN_RULE_NAME, params: null }, 'rule'), 'rule.params', 'type');
      expectInputError(() => assertLayerRule(null, 'rule'), 'rule', 'type');
    });
  });

  describe('when the rule is well-formed', () => {
    it('does not throw', () => {
      expect(() => assertLayerRule(hansenRule(30), 'rule')).not.toThrow();
    });
  });
});
