import { defineConfig } from 'vitest/config';

// circom_runtime prints "ERROR:  4 Error in template …" to stderr before it throws the same
// text as an Error, which calculateWitness turns into WITNESS_FAILED with the message kept.
// The tamper tests make thousands of witnesses fail on purpose; the duplicate line would
// bury real output in a CI log, so it is dropped here and only here.
const CIRCOM_RUNTIME_ERROR = /^ERROR: +(?:\x1b\[\d+m)?\d+(?:\x1b\[\d+m)? /;

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Circuit compilation and Groth16 setup are CPU-bound: run files one per core.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 300_000,
    hookTimeout: 600_000,
    onConsoleLog: (log, type) => (type === 'stderr' && CIRCOM_RUNTIME_ERROR.test(log) ? false : undefined),
  },
});
