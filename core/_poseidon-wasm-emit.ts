/**
 * A minimal WebAssembly binary writer: just enough of the MVP format (types, functions,
 * one exported memory, exports, code) for the field-arithmetic module that
 * `_poseidon-wasm-field.ts` generates. Emitting the bytes here, at module load, keeps the
 * core free of build steps and of runtime dependencies beyond @noble/*.
 *
 * Encodings follow the WebAssembly core specification, §5 "Binary Format": unsigned
 * integers are unsigned LEB128, `i32.const`/`i64.const` immediates are signed LEB128,
 * every memory access carries a memarg (log2 alignment, then byte offset).
 * @module
 */
import { bug } from './errors.ts';

/** Value types (spec §5.3.1). */
export const I32 = 0x7f;
export const I64 = 0x7e;
export type ValType = typeof I32 | typeof I64;

/** Appends the unsigned LEB128 encoding of a non-negative safe integer. */
function uleb(out: number[], value: number): void {
  // Invariant: callers pass sizes, counts and offsets, all non-negative safe integers.
  if (!Number.isSafeInteger(value) || value < 0) bug('uleb', String(value));
  let v = value;
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

/** Appends the signed LEB128 encoding of an integer (any size; bigint so i64 fits). */
function sleb(out: number[], value: bigint): void {
  let v = value;
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n; // arithmetic shift: sign is kept
    const signBit = (byte & 0x40) !== 0;
    if ((v === 0n && !signBit) || (v === -1n && signBit)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

/**
 * The instruction stream of one function body. Methods append one instruction each and
 * return `this`, so code reads in stack order: `c.get(a).load64u32(0).get(b).load64u32(0).mul64()`.
 */
export class Code {
  readonly bytes: number[] = [];

  private op(byte: number): this {
    this.bytes.push(byte);
    return this;
  }

  // Control (spec §5.4.1). Blocks and loops produce no value (block type 0x40).
  block(): this { return this.op(0x02).op(0x40); }
  loop(): this { return this.op(0x03).op(0x40); }
  if(): this { return this.op(0x04).op(0x40); }
  else(): this { return this.op(0x05); }
  end(): this { return this.op(0x0b); }
  br(depth: number): this { this.op(0x0c); uleb(this.bytes, depth); return this; }
  brIf(depth: number): this { this.op(0x0d); uleb(this.bytes, depth); return this; }
  call(funcIndex: number): this { this.op(0x10); uleb(this.bytes, funcIndex); return this; }
  select(): this { return this.op(0x1b); }

  // Variables (§5.4.4).
  get(local: number): this { this.op(0x20); uleb(this.bytes, local); return this; }
  set(local: number): this { this.op(0x21); uleb(this.bytes, local); return this; }
  tee(local: number): this { this.op(0x22); uleb(this.bytes, local); return this; }

  // Memory (§5.4.6).
  private mem(byte: number, alignLog2: number, offset: number): this {
    this.op(byte);
    uleb(this.bytes, alignLog2);
    uleb(this.bytes, offset);
    return this;
  }
  load32(offset: number): this { return this.mem(0x28, 2, offset); }
  load64(offset: number): this { return this.mem(0x29, 3, offset); }
  /** i64.load32_u: a 32-bit word zero-extended to i64. */
  load64u32(offset: number): this { return this.mem(0x35, 2, offset); }
  store32(offset: number): this { return this.mem(0x36, 2, offset); }
  store64(offset: number): this { return this.mem(0x37, 3, offset); }
  /** i64.store32: the low 32 bits of an i64. */
  store64as32(offset: number): this { return this.mem(0x3e, 2, offset); }

  // Numeric (§5.4.7).
  i32(value: number): this { this.op(0x41); sleb(this.bytes, BigInt(value)); return this; }
  i64(value: bigint): this { this.op(0x42); sleb(this.bytes, value); return this; }
  eqz32(): this { return this.op(0x45); }
  eq32(): this { return this.op(0x46); }
  ne32(): this { return this.op(0x47); }
  gtU32(): this { return this.op(0x4b); }
  and32(): this { return this.op(0x71); }
  eqz64(): this { return this.op(0x50); }
  add32(): this { return this.op(0x6a); }
  sub32(): this { return this.op(0x6b); }
  mul32(): this { return this.op(0x6c); }
  add64(): this { return this.op(0x7c); }
  sub64(): this { return this.op(0x7d); }
  mul64(): this { return this.op(0x7e); }
  and64(): this { return this.op(0x83); }
  or64(): this { return this.op(0x84); }
  shl64(): this { return this.op(0x86); }
  shrS64(): this { return this.op(0x87); }
  shrU64(): this { return this.op(0x88); }

}

/** One function: signature, extra locals (numbered after the parameters) and body. */
export interface FunctionDef {
  readonly name: string;
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
  readonly locals: readonly ValType[];
  readonly code: Code;
  /** Exported under `name` when true; otherwise callable only from other functions. */
  readonly exported: boolean;
}

function section(out: number[], id: number, body: number[]): void {
  out.push(id);
  uleb(out, body.length);
  for (const b of body) out.push(b);
}

function vector(out: number[], items: readonly number[][]): void {
  uleb(out, items.length);
  for (const item of items) for (const b of item) out.push(b);
}

/**
 * Encodes a module with the given functions (function index = position in `functions`)
 * and one memory of `memoryPages` 64 KiB pages, exported as "memory".
 * @throws {Error} "canopy: bad math" if a definition is malformed (a bug in the generator)
 */
export function encodeModule(functions: readonly FunctionDef[], memoryPages: number): Uint8Array<ArrayBuffer> {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]; // "\0asm", version 1

  // Type section (id 1): one entry per distinct signature.
  const typeKeys: string[] = [];
  const typeBodies: number[][] = [];
  const typeOf = functions.map((f) => {
    const key = `${f.params.join(',')}:${f.results.join(',')}`;
    let idx = typeKeys.indexOf(key);
    if (idx < 0) {
      idx = typeKeys.length;
      typeKeys.push(key);
      const t = [0x60];
      uleb(t, f.params.length);
      t.push(...f.params);
      uleb(t, f.results.length);
      t.push(...f.results);
      typeBodies.push(t);
    }
    return idx;
  });
  const types: number[] = [];
  vector(types, typeBodies);
  section(out, 1, types);

  // Function section (id 3): the type index of each body.
  const funcs: number[] = [];
  vector(funcs, typeOf.map((i) => { const b: number[] = []; uleb(b, i); return b; }));
  section(out, 3, funcs);

  // Memory section (id 5): one memory, limits with a minimum only.
  const mem: number[] = [];
  vector(mem, [[0x00, ...(() => { const b: number[] = []; uleb(b, memoryPages); return b; })()]]);
  section(out, 5, mem);

  // Export section (id 7): the memory (kind 2) and the exported functions (kind 0).
  const name = (s: string) => { const b: number[] = []; const bytes = new TextEncoder().encode(s); uleb(b, bytes.length); b.push(...bytes); return b; };
  const exports: number[][] = [[...name('memory'), 0x02, 0x00]];
  functions.forEach((f, i) => {
    if (f.exported) { const b = [...name(f.name), 0x00]; uleb(b, i); exports.push(b); }
  });
  const exp: number[] = [];
  vector(exp, exports);
  section(out, 7, exp);

  // Code section (id 10): locals as run-length groups, then the body and `end`.
  const bodies = functions.map((f) => {
    const body: number[] = [];
    const groups: [number, ValType][] = [];
    for (const t of f.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    uleb(body, groups.length);
    for (const [n, t] of groups) { uleb(body, n); body.push(t); }
    for (const b of f.code.bytes) body.push(b);
    body.push(0x0b);
    const sized: number[] = [];
    uleb(sized, body.length);
    for (const b of body) sized.push(b);
    return sized;
  });
  const code: number[] = [];
  vector(code, bodies);
  section(out, 10, code);

  return Uint8Array.from(out);
}
