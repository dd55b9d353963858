// The disclosure file formats: round trip, strict parsing of every member, hostile inputs.
import { describe, expect, it } from 'vitest';
import { noteCommitment } from '../../core/lots/note.ts';
import { disclosedNote, formatDisclosure, LOT_DISCLOSURE_FORMAT, lotDisclosureNote, parseDisclosure, PLOT_DISCLOSURE_FORMAT, type LotDisclosure, type PlotDisclosure } from '../../prover/disclose/disclosure-file.ts';
import { HOSTILE_INPUTS } from '../hostile-inputs.ts';

const note = { ownerKey: 7n, commodity: 90111n, quantityGrams: 1000n, emissionsGramsCo2e: 2500n, deforestationFree: true, salt: 11n };
const lot: LotDisclosure = { format: LOT_DISCLOSURE_FORMAT, note: lotDisclosureNote(note), commitment: noteCommitment(note).toString() };
const plot: PlotDisclosure = {
  format: PLOT_DISCLOSURE_FORMAT,
  plot: { feature: { type: 'Feature', id: 'farm-1', properties: {}, geometry: { type: 'Point', coordinates: [-71.7, 18.6] } }, geometry: '{}', geometryHash: '5' },
  datasetRoot: '9',
  cutoffYear: 2020,
  cutoffCode: 21,
  circuit: { id: 'plot_window', profile: 'demo', k: 0, treeDepth: 8 },
  mask: { col0: 1, row0: 2, width: 1, height: 1, pixels: 1, hash: '3', bytes: Buffer.from([1]).toString('base64') },
  owner: { ownerKey: '4' },
  windows: [{ blockLog2: 0, tileX0: 0, tileY0: 0, blockIndex: 0, pixelCount: 1, windowMaskHash: '6', salt: '7', attestationLeaf: '8' }],
};

describe('parseDisclosure', () => {
  describe('when given what formatDisclosure wrote', () => {
    it('returns the same disclosure, and the lot note back', () => {
      expect(parseDisclosure(formatDisclosure(lot))).toEqual(lot);
      expect(parseDisclosure(formatDisclosure(plot))).toEqual(plot);
      expect(disclosedNote(lot)).toEqual(note);
      expect(formatDisclosure(lot).endsWith('}\n')).toBe(true);
    });
  });

  describe('when a member is missing, extra or malformed', () => {
    it('throws naming it', () => {
      const edit = <T>(d: T, f: (x: T) => void): string => {
        const c = structuredClone(d);
        f(c);
        return JSON.stringify(c);
      };
      expect(() => parseDisclosure('{')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
      expect(() => parseDisclosure(edit(lot, (d) => void ((d as { format: string }).format = 'x')))).toThrow(/"disclosure\.format" expected/);
      expect(() => parseDisclosure(edit(lot, (d) => void ((d.note as Record<string, unknown>).ownerSecret = '5')))).toThrow(/"disclosure\.note" expected only the members/);
      expect(() => parseDisclosure(edit(lot, (d) => void (d.note.salt = '011')))).toThrow(/"disclosure\.note\.salt"/);
      expect(() => parseDisclosure(edit(lot, (d) => void ((d.note as Record<string, unknown>).deforestationFree = 1)))).toThrow(/"disclosure\.note\.deforestationFree"/);
      expect(() => parseDisclosure(edit(plot, (d) => void (d.cutoffCode = 256)))).toThrow(/"disclosure\.cutoffCode"/);
      expect(() => parseDisclosure(edit(plot, (d) => void (d.circuit.k = 5)))).toThrow(/"disclosure\.circuit\.k"/);
      expect(() => parseDisclosure(edit(plot, (d) => void (d.mask.bytes = 'AQ')))).toThrow(/"disclosure\.mask\.bytes" expected canonical base64/);
      expect(() => parseDisclosure(edit(plot, (d) => void (d.windows = [])))).toThrow(/"disclosure\.windows"/);
      expect(() => parseDisclosure(edit(plot, (d) => void delete (d.windows[0] as Partial<PlotDisclosure['windows'][0]>).salt))).toThrow(/"disclosure\.windows\[0\]\.salt" expected a value/);
      expect(() => parseDisclosure(edit(plot, (d) => void ((d.plot as Record<string, unknown>).feature = [])))).toThrow(/"disclosure\.plot\.feature" expected object/);
    });

    it.each(HOSTILE_INPUTS.map((h) => [h.name, h.value] as const))('rejects %s as the document', (_n, v) => {
      let text: string;
      try {
        text = JSON.stringify(v) ?? 'undefined';
      } catch {
        text = 'x';
      }
      expect(() => parseDisclosure(text)).toThrow();
    });
  });
});
