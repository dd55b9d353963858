// circuits/lib/domain_tags.circom is generated from core/domain.ts by
// scripts/gen-domain-tags.ts. These tests fail when the file is stale or hand-edited, and
// check that circom reads every tag back as the value the JS side hashes with.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileMain } from '../../circuits/toolchain/compile.ts';
import { BUILD_DIR, PROJECT_ROOT } from '../../circuits/toolchain/project-root.ts';
import { calculateWitness } from '../../circuits/toolchain/witness.ts';
import { DOMAIN_NAMES, DOMAIN_TAGS, type DomainName } from '../../core/domain.ts';
import { DOMAIN_TAGS_CIRCOM, renderDomainTags } from '../../scripts/gen-domain-tags.ts';

const KINDS = Object.keys(DOMAIN_NAMES) as DomainName[];

function tagsInFile(): Map<string, bigint> {
  const text = readFileSync(DOMAIN_TAGS_CIRCOM, 'utf8');
  return new Map([...text.matchAll(/^function TAG_([A-Z0-9_]+)\(\) \{ return ([0-9]+); \}$/gm)].map((m) => [m[1]!, BigInt(m[2]!)]));
}

describe('circuits/lib/domain_tags.circom', () => {
  describe('when compared with a fresh rendering of core/domain.ts', () => {
    it('is up to date (run node --import tsx scripts/gen-domain-tags.ts)', () => {
      expect(readFileSync(DOMAIN_TAGS_CIRCOM, 'utf8')).toBe(renderDomainTags());
    });
  });

  describe('when its functions are read back', () => {
    it('has one TAG_<KIND>() per domain tag, with the tag value', () => {
      const got = tagsInFile();
      expect([...got.keys()].sort(), 'TAG_ functions in domain_tags.circom').toEqual([...KINDS].sort());
      for (const kind of KINDS) expect(got.get(kind), `TAG_${kind}()`).toBe(DOMAIN_TAGS[kind]);
    });
  });

  describe('when circom evaluates every TAG_<KIND>()', () => {
    it('yields DOMAIN_TAGS[kind]', async () => {
      // A throwaway template that outputs every tag, written under the build folder.
      const dir = join(BUILD_DIR, 'fixtures');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, 'domain_tags_out.circom');
      const include = relative(dir, DOMAIN_TAGS_CIRCOM).split('\\').join('/');
      const body = KINDS.map((k, i) => `    out[${i}] <== TAG_${k}();`).join('\n');
      writeFileSync(file, `pragma circom 2.1.9;\ninclude "${include}";\n\ntemplate DomainTagsOut() {\n    signal output out[${KINDS.length}];\n${body}\n}\n`);
      const c = await compileMain({ name: 'domain_tags_out', templateFile: relative(PROJECT_ROOT, file), template: 'DomainTagsOut', params: [], publicInputs: [] });
      const w = await calculateWitness(c, {});
      // Outputs are wires 1..K, in declaration order.
      KINDS.forEach((k, i) => expect(w[1 + i], `TAG_${k}() in circom`).toBe(DOMAIN_TAGS[k]));
    });
  });
});
