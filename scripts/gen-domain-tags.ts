/**
 * Writes circuits/lib/domain_tags.circom: one circom function per domain tag of
 * core/domain.ts, so circuits and the JS side hash with the same constants.
 * tests/circuits/domain-tags.test.ts fails when the file is out of date.
 * Run: node --import tsx scripts/gen-domain-tags.ts
 * @module
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOMAIN_NAMES, DOMAIN_TAGS, type DomainName } from '../core/domain.ts';

/** Where the generated file lives, absolute. */
export const DOMAIN_TAGS_CIRCOM = resolve(fileURLToPath(import.meta.url), '..', '..', 'circuits', 'lib', 'domain_tags.circom');

/**
 * The text of circuits/lib/domain_tags.circom: `function TAG_<KIND>() { return <decimal>; }`
 * for every kind in DOMAIN_NAMES, in declaration order.
 * @example renderDomainTags().includes('function TAG_MERKLE_NODE()') // true
 */
export function renderDomainTags(): string {
  const fns = (Object.keys(DOMAIN_NAMES) as DomainName[]).map(
    (kind) => `// "${DOMAIN_NAMES[kind]}" read as a big-endian integer.\nfunction TAG_${kind}() { return ${DOMAIN_TAGS[kind].toString(10)}; }\n`,
  );
  return [
    'pragma circom 2.1.9;',
    '',
    '// Domain tags: the first input of every Poseidon hash in Canopy, one per kind of object.',
    '// Generated from core/domain.ts by scripts/gen-domain-tags.ts; do not edit.',
    '// Every tag is < 2^248 < r, so it is a canonical field element.',
    '',
    fns.join('\n'),
  ].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(DOMAIN_TAGS_CIRCOM, renderDomainTags());
}
