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
