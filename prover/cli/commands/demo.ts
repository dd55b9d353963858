/**
 * `canopy demo`: the whole path this version of Canopy covers, on the embedded `demo`
 * profile, with a readable account of each step and its time.
 *
 * The story: a cooperative commits its member farms' secret identifiers into a Poseidon
 * Merkle tree and publishes only the root. One farm proves, with a Groth16 proof bound to
 * a lot reference, that it is a member — without revealing which one. The importer checks
 * the proof against the pinned verification key; a proof replayed for another lot, or
 * against another root, is refused.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Command } from 'commander';
import { assertInteger } from '../../../core/assert.ts';
import { membershipLeaf, membershipPublicSignals, membershipWitnessInput, MEMBERSHIP_PUBLIC_SIGNALS } from '../../../core/circuits/membership.ts';
import { FIELD_ORDER } from '../../../core/field.ts';
import { IncrementalMerkleTree } from '../../../core/merkle/incremental-merkle-tree.ts';
import { loadVerificationKey, proveGroth16, verifyGroth16 } from '../../../circuits/toolchain/prove.ts';
import { runSetup } from '../../../circuits/toolchain/setup.ts';
import { withCurves } from '../../../circuits/toolchain/snarkjs.ts';
import { printJson, type CliIo } from '../io.ts';
import { progressPrinter } from './_progress.ts';

/** Options of `runDemo`; mirrors the flags of `canopy demo`. */
export interface DemoOptions {
  profile: string;
  members: number;
  /** Output folder of the setup (default circuits/build/<profile>). */
  out?: string;
  json: boolean;
}

/** What the demo established, for `--json` and for tests. */
export interface DemoResult {
  profile: string;
  depth: number;
  members: number;
  root: string;
  message: string;
  publicSignals: Record<string, string>;
  validProofVerifies: boolean;
  replayedForOtherLotVerifies: boolean;
  otherRootVerifies: boolean;
  seconds: Record<string, number>;
}

/** A lot reference as a field element: SHA-256 of the text, top 248 bits. */
export function lotReferenceToField(text: string): bigint {
  const digest = sha256(new TextEncoder().encode(text));
  let v = 0n;
  for (let i = 0; i < 31; i++) v = (v << 8n) | BigInt(digest[i]!);
  return v;
}

function randomFieldElement(): bigint {
  // 31 random bytes are < 2^248 < r: uniform enough for identifiers, never reduced.
  return BigInt(`0x${randomBytes(31).toString('hex')}`) % FIELD_ORDER;
}

/**
 * Runs the demo and narrates it on `io.err` (or returns it as data with `json`).
 * @throws {CanopyError} if setup or proving fails; never for a refused tampered proof (that is the point)
 */
export async function runDemo(opts: DemoOptions, io: CliIo): Promise<DemoResult> {
  assertInteger(opts.members, 'members', 1, 1 << 16);
  const say = (text: string) => io.err(`${text}\n`);
  const seconds: Record<string, number> = {};
  const timed = async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    const out = await fn();
    seconds[name] = Number(((performance.now() - t0) / 1000).toFixed(3));
    return out;
  };

  say(`1. Setup (profile ${opts.profile}): compile circuits, Groth16 keys from the bundled powers of tau (NOT FOR PRODUCTION).`);
  const setup = await timed('setup', () => runSetup({ profile: opts.profile, circuits: ['membership'], outDir: opts.out, onProgress: progressPrinter(io) }));
  const entry = setup.manifest.circuits.membership!;
  const depth = Number(entry.params.depth);
  say(`   membership: depth ${depth}, ${entry.constraints.total} constraints, ${seconds.setup!.toFixed(1)} s`);

  say(`2. A cooperative commits ${opts.members} member farms' secret identifiers into a Poseidon tree of depth ${depth}.`);
  const secrets = Array.from({ length: opts.members }, randomFieldElement);
  const tree = new IncrementalMerkleTree(depth);
  await timed('commit', () => tree.appendMany(secrets.map(membershipLeaf)));
  say(`   published root ${tree.root} (${seconds.commit!.toFixed(2)} s)`);

  const chosen = Math.floor(opts.members / 2);
  const lot = 'lot CF-2026-0042, green coffee, 18,000 kg';
  const message = lotReferenceToField(lot);
  say(`3. Farm #${chosen} proves it is a member, bound to "${lot}"; the proof names neither the farm nor its position.`);
  const vkey = await loadVerificationKey('membership', opts.profile, opts.out ?? setup.outDir);
  const result = await withCurves(async () => {
    const { proof, publicSignals } = await timed('prove', () =>
      proveGroth16('membership', opts.profile, membershipWitnessInput(tree, secrets[chosen]!, message), opts.out ?? setup.outDir),
    );
    say(`   proof made in ${seconds.prove!.toFixed(2)} s; public signals: ${MEMBERSHIP_PUBLIC_SIGNALS.join(', ')}`);

    say('4. The importer verifies it with the pinned verification key.');
    const ok = await timed('verify', () => verifyGroth16(vkey, publicSignals, proof));
    say(`   ${ok ? 'VALID' : 'INVALID'} (${(seconds.verify! * 1000).toFixed(0)} ms)`);

    say('5. The same proof replayed for another lot, and against another root, must be refused.');
    const otherLot = await verifyGroth16(vkey, membershipPublicSignals(tree.root, lotReferenceToField('lot CF-2026-0043')), proof);
    const otherRoot = await verifyGroth16(vkey, membershipPublicSignals(tree.rootAt(tree.size - 1), message), proof);
    say(`   other lot: ${otherLot ? 'ACCEPTED (wrong!)' : 'refused'}; other root: ${otherRoot ? 'ACCEPTED (wrong!)' : 'refused'}`);
    return { publicSignals, ok, otherLot, otherRoot };
  });

  const out: DemoResult = {
    profile: opts.profile,
    depth,
    members: opts.members,
    root: tree.root.toString(),
    message: message.toString(),
    publicSignals: Object.fromEntries(MEMBERSHIP_PUBLIC_SIGNALS.map((name, i) => [name, result.publicSignals[i]!])),
    validProofVerifies: result.ok,
    replayedForOtherLotVerifies: result.otherLot,
    otherRootVerifies: result.otherRoot,
    seconds,
  };
  if (!out.validProofVerifies || out.replayedForOtherLotVerifies || out.otherRootVerifies) {
    throw new Error('canopy: bad math in runDemo: a check came out the wrong way');
  }
  return out;
}

/**
 * Registers `canopy demo`.
 * @example registerDemo(program, processIo);
 */
export function registerDemo(program: Command, io: CliIo): void {
  program
    .command('demo')
    .description('Run the end-to-end demo: setup, commit a tree, prove membership privately, verify, refuse tampering.')
    .option('--profile <name>', 'parameter profile (demo or test)', 'demo')
    .option('--members <n>', 'member farms committed in the tree (1..65536)', (v) => Number(v), 1000)
    .option('--out <dir>', 'setup folder (default circuits/build/<profile>)')
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText(
      'after',
      '\nThe first run builds the demo keys (about a minute on 2 cores); later runs reuse them.\n' +
        'Keys come from the bundled powers of tau, which is NOT FOR PRODUCTION.\n',
    )
    .action(async (flags: { profile: string; members: number; out?: string; json?: boolean }) => {
      const t0 = performance.now();
      const result = await runDemo({ profile: flags.profile, members: flags.members, out: flags.out, json: flags.json === true }, io);
      if (flags.json) printJson(io, result);
      else io.out(`demo complete in ${((performance.now() - t0) / 1000).toFixed(1)} s: a private membership proof verified; replayed and re-rooted proofs refused.\n`);
    });
}
