#!/usr/bin/env node
// The `canopy` command. Sources are TypeScript run through tsx, so a clone works
// after `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../prover/cli/main.ts');
process.exitCode = await main(process.argv);
