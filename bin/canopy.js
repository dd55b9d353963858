#!/usr/bin/env node
// The `canopy` command. Sources are TypeScript run through tsx, so a clone works
// after `npm install` with no build step.
import { register } from 'tsx/esm/api';

// snarkjs 0.7.6 leaves a file handle of the powers-of-tau file open after verifying a key;
// Node then warns when it is garbage-collected. The warning is about snarkjs's internals,
// not anything a user can act on: drop that one, print every other warning as usual.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.code === 'DEP0137' || /^Closing file descriptor \d+ on garbage collection/.test(w.message)) return;
  process.stderr.write(`${w.name}: ${w.message}\n`);
});

// A reader that stops early (`canopy … | head`) closes the pipe: stop quietly, as Unix
// tools do, instead of crashing on EPIPE.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

register();
const { main } = await import('../prover/cli/main.ts');
process.exitCode = await main(process.argv);
