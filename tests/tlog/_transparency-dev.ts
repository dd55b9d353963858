/**
 * Readers for the stored transparency-dev/merkle vectors (tests/vectors/transparency-dev):
 * the Go literals of proof/verify_test.go and the JSON probes of testdata/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fromBase64, fromHex } from './_log.ts';

const ROOT = new URL('../vectors/transparency-dev/merkle/', import.meta.url);

/** The dh("…", n) hex literals in a block of Go source, checked against their stated length. */
function dhs(block: string): Uint8Array[] {
  return [...block.matchAll(/dh\("([0-9a-f]*)", (\d+)\)/g)].map((m) => {
    const b = fromHex(m[1]!);
    if (b.length !== Number(m[2])) throw new Error(`dh length mismatch in ${m[0]}`);
    return b;
  });
}

/** The source text between `start` and the next line closing the block at one tab. */
function block(src: string, start: string): string {
  const i = src.indexOf(start);
  if (i < 0) throw new Error(`${start} not found`);
  const j = src.indexOf('\n\t}\n', i);
  return src.slice(i, j);
}

export interface GoProofVector {
  /** Go's first field: 1-based leaf (inclusion) or size1 (consistency). */
  a: number;
  /** Tree size (inclusion) or size2 (consistency). */
  b: number;
  proof: Uint8Array[];
}

function proofVectors(body: string): GoProofVector[] {
  return [...body.matchAll(/\{(\d+), (\d+), (nil|\[\]\[\]byte\{([\s\S]*?)\n\t\t\})\}/g)].map((m) => ({
    a: Number(m[1]),
    b: Number(m[2]),
    proof: m[3] === 'nil' ? [] : dhs(m[4]!),
  }));
}

/** The vectors of proof/verify_test.go: 8 leaves, roots of sizes 1..8, proofs. */
export function verifyTestGo(): {
  leaves: Uint8Array[];
  roots: Uint8Array[];
  emptyTreeHash: Uint8Array;
  someHash: Uint8Array;
  inclusionProofs: GoProofVector[];
  consistencyProofs: GoProofVector[];
} {
  const src = readFileSync(new URL('proof/verify_test.go', ROOT), 'utf8');
  const leaves = dhs(block(src, '\tleaves = [][]byte{'));
  const roots = dhs(block(src, '\troots = [][]byte{'));
  const [someHash] = dhs(src.slice(src.indexOf('sha256SomeHash      = dh('), src.indexOf('\n', src.indexOf('sha256SomeHash      = dh('))));
  const [empty] = dhs(src.slice(src.indexOf('sha256EmptyTreeHash = dh('), src.indexOf('\n', src.indexOf('sha256EmptyTreeHash = dh('))));
  return {
    leaves,
    roots,
    emptyTreeHash: empty!,
    someHash: someHash!,
    inclusionProofs: proofVectors(block(src, '\tinclusionProofs = []inclusionProofTestVector{')),
    consistencyProofs: proofVectors(block(src, '\tconsistencyProofs = []consistencyTestVector{')),
  };
}

export interface InclusionProbe {
  file: string;
  leafIdx: number;
  treeSize: number;
  root: Uint8Array;
  leafHash: Uint8Array;
  proof: Uint8Array[];
  wantErr: boolean;
}

export interface ConsistencyProbe {
  file: string;
  size1: number;
  size2: number;
  root1: Uint8Array;
  root2: Uint8Array;
  proof: Uint8Array[];
  wantErr: boolean;
}

/** Every stored testdata/<kind>/<n>/*.json probe. */
function probes(kind: 'inclusion' | 'consistency'): { file: string; json: Record<string, unknown> }[] {
  const dir = new URL(`testdata/${kind}/`, ROOT);
  const out: { file: string; json: Record<string, unknown> }[] = [];
  for (const n of readdirSync(dir).sort()) {
    for (const f of readdirSync(new URL(`${n}/`, dir)).sort()) {
      out.push({ file: `${kind}/${n}/${f}`, json: JSON.parse(readFileSync(new URL(`${n}/${f}`, dir), 'utf8')) as Record<string, unknown> });
    }
  }
  return out;
}

const b64list = (v: unknown): Uint8Array[] => ((v as string[] | null) ?? []).map(fromBase64);

export function inclusionProbes(): InclusionProbe[] {
  return probes('inclusion').map(({ file, json: j }) => ({
    file,
    leafIdx: j.leafIdx as number,
    treeSize: j.treeSize as number,
    root: fromBase64(j.root as string),
    leafHash: fromBase64(j.leafHash as string),
    proof: b64list(j.proof),
    wantErr: j.wantErr as boolean,
  }));
}

export function consistencyProbes(): ConsistencyProbe[] {
  return probes('consistency').map(({ file, json: j }) => ({
    file,
    size1: j.size1 as number,
    size2: j.size2 as number,
    root1: fromBase64(j.root1 as string),
    root2: fromBase64(j.root2 as string),
    proof: b64list(j.proof),
    wantErr: j.wantErr as boolean,
  }));
}
