/**
 * `canopy demo`: the whole story on the bundled crop, plots, footprints and scenario, on a
 * registry the demo starts for itself (prover/demo/run-demo.ts has the steps):
 *
 *     canopy demo [--work DIR] [--scenario FILE] [--keys DIR] [--port N] [--keep-registry] [--json]
 *
 * The account of each step goes to stderr; stdout gets the importer's verified claim, or
 * with `--json` the whole result. `--keep-registry` leaves the registry (and its explorer
 * page at `/`) running after the story until Ctrl-C; otherwise every server the demo
 * started is stopped before it exits.
 * @module
 */
import { InvalidArgumentError, type Command } from 'commander';
import { defaultOutDir } from '../../../circuits/toolchain/setup.ts';
import { formatDemoClaim } from '../../demo/format-claim.ts';
import { runDemo, type DemoOptions, type DemoResult } from '../../demo/run-demo.ts';
import { DEFAULT_SCENARIO_FILE, DEMO_PROFILE } from '../../demo/scenario.ts';
import { printJson, type CliIo } from '../io.ts';
import { progressPrinter } from './_progress.ts';

/** The work folder used when none is named. */
export const DEFAULT_DEMO_WORK_DIR = '.canopy/demo';

/** Flags of `canopy demo` as commander parses them. */
export interface DemoFlags {
  work: string;
  scenario?: string;
  keys?: string;
  port: number;
  keepRegistry?: boolean;
  json?: boolean;
}

/** What the action needs: the options of `runDemo` and how to report. */
export interface DemoCommand {
  options: Omit<DemoOptions, 'holdRegistry' | 'onSetupProgress'>;
  keepRegistry: boolean;
  json: boolean;
}

function portFlag(value: string): number {
  if (!/^(0|[1-9][0-9]{0,4})$/.test(value) || Number(value) > 65_535) throw new InvalidArgumentError(`expected a TCP port from 0 to 65535, got ${JSON.stringify(value)}`);
  return Number(value);
}

/**
 * Maps `canopy demo` flags to `runDemo` options.
 * @throws never (commander has checked each flag)
 * @example demoCommandFromFlags({ work: '.canopy/demo', port: 0 }).options.workDir // '.canopy/demo'
 */
export function demoCommandFromFlags(flags: DemoFlags): DemoCommand {
  return {
    options: {
      workDir: flags.work,
      scenarioFile: flags.scenario ?? DEFAULT_SCENARIO_FILE,
      keysDir: flags.keys ?? defaultOutDir(DEMO_PROFILE),
      port: flags.port,
    },
    keepRegistry: flags.keepRegistry === true,
    json: flags.json === true,
  };
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilInterrupted(_result: DemoResult): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * Runs the command: the demo, then the claim (or the JSON result) on stdout.
 * @param waitForStop - how a kept registry waits, given the result (default: until Ctrl-C or SIGTERM)
 * @throws as `runDemo`
 * @example await runDemoCommand(demoCommandFromFlags(flags), io)
 */
export async function runDemoCommand(command: DemoCommand, io: CliIo, waitForStop: (result: DemoResult) => Promise<void> = untilInterrupted): Promise<DemoResult> {
  const report = (r: DemoResult) => (command.json ? printJson(io, r) : io.out(formatDemoClaim(r)));
  let reported = false;
  const result = await runDemo(
    {
      ...command.options,
      onSetupProgress: progressPrinter(io),
      ...(command.keepRegistry
        ? {
            holdRegistry: async (r: DemoResult) => {
              report(r);
              reported = true;
              io.err(`\nThe registry keeps running: explorer at ${r.registry.url}/ (registry key ${r.registry.verifierKey}). Ctrl-C stops it.\n`);
              await waitForStop(r);
              io.err('stopping the registry\n');
            },
          }
        : {}),
    },
    io,
  );
  if (!reported) report(result);
  return result;
}

/**
 * Registers `canopy demo`.
 * @example registerDemo(program, processIo);
 */
export function registerDemo(program: Command, io: CliIo): void {
  program
    .command('demo')
    .description('Run the end-to-end demo: registry, parties, dataset, plots, lots from two farms through a cooperative and an exporter to an importer, verification, audit.')
    .option('--work <dir>', 'work folder: registry data, wallets, keys, passports, exports (emptied first; only a folder the demo made)', DEFAULT_DEMO_WORK_DIR)
    .option('--scenario <file>', 'the scenario: parties, plots, footprints, masses, emissions (examples/README.md)')
    .option('--keys <dir>', `setup folder of the demo keys (default circuits/build/${DEMO_PROFILE}; made on the first run)`)
    .option('--port <n>', 'TCP port of the registry on 127.0.0.1 (0: a free one)', portFlag, 0)
    .option('--keep-registry', 'leave the registry running after the story, to explore it in a browser, until Ctrl-C')
    .option('--json', 'print the whole result as JSON on stdout instead of the claim')
    .addHelpText(
      'after',
      '\nThe first run builds the Groth16 keys of the demo circuits (minutes on 2 cores); later runs reuse\n' +
        'them. The keys come from the bundled powers of tau: NOT FOR PRODUCTION.\n\n' +
        'Example:\n  canopy demo --work /tmp/canopy-demo --keep-registry\n',
    )
    .action(async (flags: DemoFlags) => {
      await runDemoCommand(demoCommandFromFlags(flags), io);
    });
}
