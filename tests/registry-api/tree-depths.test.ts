// treeDepthsForProfile: the lots tree takes the lot circuits' depth, the plots tree the
// same, and capacity_issue (the circuit that opens plots leaves) must agree; a profile
// whose circuits disagree is refused rather than served with a tree no proof can open.
import { describe, expect, it } from 'vitest';
import { type CircuitsConfig, loadConfig } from '../../circuits/toolchain/config.ts';
import { CanopyError } from '../../core/errors.ts';
import { treeDepthsForProfile } from '../../registry/api/registry-service.ts';

/** The real config with one circuit parameter of one profile changed. */
function withParam(circuit: string, profile: string, param: string, value: number): CircuitsConfig {
  const config = structuredClone(loadConfig());
  config.circuits[circuit]!.profiles[profile]![param] = value;
  return config;
}

describe('treeDepthsForProfile', () => {
  describe('when given each profile of circuits/circuits.json', () => {
    it('gives both trees the lot circuits’ depth, which capacity_issue’s plotsDepth equals', () => {
      const config = loadConfig();
      for (const profile of Object.keys(config.profiles)) {
        const depth = config.circuits.lot_transition!.profiles[profile]!.depth!;
        expect(treeDepthsForProfile(profile, config), profile).toEqual({ lots: depth, plots: depth });
        expect(config.circuits.capacity_issue!.profiles[profile]!.plotsDepth, profile).toBe(depth);
      }
      expect(treeDepthsForProfile('test')).toEqual({ lots: 4, plots: 4 });
    });
  });

  describe('when the circuits of a profile disagree', () => {
    it('throws INVALID_INPUT naming them', () => {
      const cases: [string, CircuitsConfig, RegExp][] = [
        ['capacity_issue on another plots depth', withParam('capacity_issue', 'demo', 'plotsDepth', 11), /capacity_issue \(plotsDepth 11\) does not have the plots tree depth 10/],
        ['capacity_mint on another lots depth', withParam('capacity_mint', 'test', 'depth', 5), /lot_transition \(depth 4\) and capacity_mint \(depth 5\) disagree/],
      ];
      for (const [what, config, message] of cases) {
        let thrown: unknown;
        try {
          treeDepthsForProfile(what.startsWith('capacity_issue') ? 'demo' : 'test', config);
        } catch (e) {
          thrown = e;
        }
        expect(thrown, what).toBeInstanceOf(CanopyError);
        expect([what, (thrown as CanopyError).code]).toEqual([what, 'INVALID_INPUT']);
        expect((thrown as CanopyError).message, what).toMatch(message);
      }
    });
  });

  describe('when the profile is unknown', () => {
    it('throws INVALID_INPUT', () => {
      expect(() => treeDepthsForProfile('huge')).toThrow(/unknown profile "huge"/);
    });
  });
});
