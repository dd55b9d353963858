// Types for the part of circomlibjs (untyped JavaScript) that the tests use.
declare module 'circomlibjs' {
  /** An element of circomlibjs' wasm field: 32 bytes in Montgomery form. */
  type WasmFieldElement = Uint8Array;

  interface WasmField {
    /** Converts an element to a bigint in [0, r). */
    toObject(a: WasmFieldElement): bigint;
    e(a: bigint | number | string): WasmFieldElement;
  }

  interface CircomlibPoseidon {
    /** circomlib Poseidon(inputs.length), 1..16 inputs. */
    (inputs: readonly (bigint | number | string)[]): WasmFieldElement;
    F: WasmField;
  }

  export function buildPoseidon(): Promise<CircomlibPoseidon>;
}
