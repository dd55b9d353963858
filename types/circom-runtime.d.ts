// Types for the parts of untyped circom/snarkjs packages that Canopy calls.
declare module 'circom_runtime' {
  export function WitnessCalculatorBuilder(
    code: Uint8Array,
    options?: { sanityCheck?: boolean },
  ): Promise<{ calculateWitness(input: unknown, sanityCheck: boolean): Promise<bigint[]> }>;
}

declare module 'r1csfile' {
  export function readR1cs(
    fileName: string,
    options: { loadConstraints: boolean; loadMap: boolean; singleThread: boolean },
  ): Promise<{
    nVars: number;
    nOutputs: number;
    nPubInputs: number;
    constraints: Record<string, Uint8Array>[][];
    curve: { Fr: { toObject(v: Uint8Array): bigint }; terminate(): Promise<void> };
  }>;
}

declare module 'ffjavascript' {
  /** A point or field element in ffjavascript's Montgomery byte encoding. */
  type Bytes = Uint8Array;
  interface WasmCurveGroup {
    /** Parses [x, y, z] decimal strings (z = 0: the point at infinity). */
    fromObject(a: bigint[] | bigint[][]): Bytes;
    toJacobian(a: Bytes): Bytes;
    toAffine(a: Bytes): Bytes;
    /** [x, y, z] as integers (G2: each an [c0, c1] pair). */
    toObject(a: Bytes): bigint[] | bigint[][];
    isValid(a: Bytes): boolean;
    isZero(a: Bytes): boolean;
    neg(a: Bytes): Bytes;
    add(a: Bytes, b: Bytes): Bytes;
    timesScalar(a: Bytes, s: bigint | Bytes): Bytes;
  }
  export interface Bn128 {
    r: bigint;
    q: bigint;
    G1: WasmCurveGroup;
    G2: WasmCurveGroup;
    Gt: { one: Bytes; mul(a: Bytes, b: Bytes): Bytes; eq(a: Bytes, b: Bytes): boolean };
    prepareG1(p: Bytes): Bytes;
    prepareG2(q: Bytes): Bytes;
    millerLoop(preP: Bytes, preQ: Bytes): Bytes;
    finalExponentiation(a: Bytes): Bytes;
    terminate(): Promise<void>;
  }
  export function buildBn128(singleThread?: boolean): Promise<Bn128>;
}
