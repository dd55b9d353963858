// Writes tests/vectors/circomlib/poseidon.json: circomlib Poseidon(n) outputs for n = 1..16
// computed by circomlibjs' buildPoseidon (the wasm implementation iden3 ships alongside
// circomlib's circuits). Inputs are deterministic, so a re-run reproduces the file byte
// for byte: the "random" inputs come from SHA-256 of a fixed label, reduced mod r.
// Run: node --import tsx tests/vectors/circomlib/gen-poseidon.ts
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { buildPoseidon } from 'circomlibjs';

const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

function pseudoRandomField(label: string): bigint {
  return BigInt(`0x${createHash('sha256').update(`canopy/poseidon-vectors/${label}`).digest('hex')}`) % R;
}

const cases: Record<string, (n: number) => bigint[]> = {
  zeros: (n) => Array.from({ length: n }, () => 0n),
  r_minus_1: (n) => Array.from({ length: n }, () => R - 1n),
  ascending: (n) => Array.from({ length: n }, (_, i) => BigInt(i + 1)),
  // Cycles through 0, r−1, 2^248−1 (the largest packed-bytes element) and a random value.
  edges: (n) => Array.from({ length: n }, (_, i) => [0n, R - 1n, (1n << 248n) - 1n, pseudoRandomField(`n${n}/edges/${i}`)][i % 4]!),
  random0: (n) => Array.from({ length: n }, (_, i) => pseudoRandomField(`n${n}/random0/${i}`)),
  random1: (n) => Array.from({ length: n }, (_, i) => pseudoRandomField(`n${n}/random1/${i}`)),
};

const require = createRequire(import.meta.url);
const { version } = JSON.parse(readFileSync(join(require.resolve('circomlibjs'), '../../package.json'), 'utf8')) as { version: string };
const hash = await buildPoseidon();
const vectors: { name: string; inputs: string[]; output: string }[] = [];
for (let n = 1; n <= 16; n++) {
  for (const [name, make] of Object.entries(cases)) {
    const inputs = make(n);
    const output = hash.F.toObject(hash(inputs));
    vectors.push({ name: `poseidon_n${n}_${name}`, inputs: inputs.map(String), output: String(output) });
  }
}
const file = {
  source: `circomlibjs ${version}, buildPoseidon() (wasm), = circomlib Poseidon(n)`,
  generator: 'tests/vectors/circomlib/gen-poseidon.ts',
  field: `BN254 scalar field, r = ${R}`,
  encoding: 'field elements as canonical decimal strings',
  vectors,
};
writeFileSync(new URL('./poseidon.json', import.meta.url), `${JSON.stringify(file, null, 2)}\n`);
console.log(`wrote ${vectors.length} vectors`);
