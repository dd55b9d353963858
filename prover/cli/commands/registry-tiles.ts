/**
 * `canopy registry export-tiles` and `canopy registry follow`: the registry's read path as
 * static files, and its log as a verified stream.
 *
 *     canopy registry export-tiles DIR (--data DIR | --database postgres://…) [--watch] [--interval MS] [--no-fsync] [--json]
 *     canopy registry follow --registry URL --registry-key VKEY [--after SEQ] [--limit N] [--state FILE]
 *                            [--verify tiles|proofs] [--tiles URL_OR_DIR] [--cosigner VKEY]… [--quorum N]
 *                            [--poll] [--until-caught-up]
 *
 * `export-tiles` writes the store's latest signed checkpoint, every C2SP tile and entry
 * bundle it needs and the checkpoint history into DIR (registry/tiles/tile-writer.ts);
 * with `--watch` it keeps doing so as checkpoints are signed, until SIGINT or SIGTERM. It
 * reads the store directly and may run beside `canopy registry serve` on the same data.
 *
 * `follow` prints one JSON line per entry, `{"sequence":…,"leafHash":"…","entry":{…}}`, in
 * log order, each only after its batch was checked against a checkpoint signed by the
 * registry key (and cosigned as `--cosigner`/`--quorum` demand), through tiles (the
 * registry's, or a mirror's with `--tiles`) or the registry's proofs (`--verify proofs`).
 * With `--state FILE` it resumes after the last entry it printed, and accepts only
 * checkpoints consistent with the one it remembered (registry/follow/follow-state.ts).
 * It stops after `--limit` entries, at the first empty page with `--until-caught-up`, or
 * on SIGINT/SIGTERM (after finishing the batch in hand and saving the state).
 *
 * The commands are added to the existing `registry` command by `registerRegistryTiles`,
 * called once from main.ts after `registerRegistry`.
 * @module
 */
import { untilSignal } from '../until-signal.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { bug, CanopyError } from '../../../core/errors.ts';
import { noteVerifier } from '../../../core/note/note-key.ts';
import { readVerifierKeyArg } from '../../../registry/api/key-files.ts';
import { RegistryClient } from '../../../registry/client.ts';
import { type BatchVerifier, proofsBatchVerifier, tilesBatchVerifier } from '../../../registry/follow/batch-verifier.ts';
import { MAX_FOLLOW_LIMIT } from '../../../registry/follow/follow-handlers.ts';
import { followLog } from '../../../registry/follow/follow-log.ts';
import { FOLLOW_STATE_FORMAT, readFollowState, writeFollowState } from '../../../registry/follow/follow-state.ts';
import { openPostgresStore } from '../../../registry/store/postgres.ts';
import { openSqliteStore } from '../../../registry/store/sqlite.ts';
import type { RegistryStore } from '../../../registry/store/store.ts';
import type { CheckpointPolicy } from '../../../registry/tiles/checkpoint-policy.ts';
import { exportTiles, watchTiles } from '../../../registry/tiles/export-tiles.ts';
import { TileWriter, type TileWriteResult } from '../../../registry/tiles/tile-writer.ts';
import { type CliIo, printJson } from '../io.ts';

/** Flags of `export-tiles` as commander parses them. */
export interface ExportTilesFlags {
  data?: string;
  database?: string;
  watch?: boolean;
  interval: number;
  fsync: boolean;
  json?: boolean;
}

/** What `runExportTiles` needs. */
export interface ExportTilesOptions {
  dir: string;
  store: { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };
  watch: boolean;
  intervalMs: number;
  durable: boolean;
  json: boolean;
}

/** Flags of `follow` as commander parses them. */
export interface FollowFlags {
  registry: string;
  registryKey: string;
  after?: number;
  limit?: number;
  state?: string;
  verify: 'tiles' | 'proofs';
  tiles?: string;
  cosigner: string[];
  quorum?: number;
  poll?: boolean;
  untilCaughtUp?: boolean;
}

/** What `runFollow` needs. */
export interface FollowOptions {
  registry: string;
  policy: CheckpointPolicy;
  after: number | null;
  limit: number | null;
  statePath: string | null;
  verify: { kind: 'tiles'; location: string } | { kind: 'proofs' };
  mode: 'stream' | 'poll';
  untilCaughtUp: boolean;
}

/**
 * Maps `export-tiles` flags to options.
 * @throws {CanopyError} INVALID_INPUT unless exactly one of --data and --database; NOT_FOUND
 *   if --data holds no registry.db
 * @example exportTilesOptionsFromFlags('tiles', { data: 'registry-data', interval: 1000, fsync: true })
 */
export function exportTilesOptionsFromFlags(dir: string, flags: ExportTilesFlags): ExportTilesOptions {
  if ((flags.data === undefined) === (flags.database === undefined)) throw new CanopyError('INVALID_INPUT', 'give exactly one of --data DIR (SQLite) and --database postgres://… (PostgreSQL)');
  if (flags.database !== undefined && !/^postgres(ql)?:\/\//.test(flags.database)) throw new CanopyError('INVALID_INPUT', '--database expects a postgres:// connection URL');
  const path = flags.data === undefined ? null : join(flags.data, 'registry.db');
  if (path !== null && !existsSync(path)) throw new CanopyError('NOT_FOUND', `${path} does not exist: --data must be a registry's data folder`);
  return {
    dir,
    store: path !== null ? { kind: 'sqlite', path } : { kind: 'postgres', url: flags.database! },
    watch: flags.watch === true,
    intervalMs: flags.interval,
    durable: flags.fsync,
    json: flags.json === true,
  };
}

/**
 * Exports once, or watches until `stop` aborts.
 * @throws as `TileWriter.write`; store errors
 * @example await runExportTiles(options, io, controller.signal)
 */
export async function runExportTiles(options: ExportTilesOptions, io: CliIo, stop: AbortSignal): Promise<void> {
  const store: RegistryStore = options.store.kind === 'sqlite' ? openSqliteStore(options.store.path) : await openPostgresStore({ connectionString: options.store.url });
  const writer = new TileWriter(options.dir, { durable: options.durable });
  const report = (r: TileWriteResult): void => {
    if (options.json) printJson(io, { dir: options.dir, ...r });
    else io.err(`checkpoint of size ${r.size}: wrote ${r.written} tiles and bundles (${r.bytes} bytes) to ${options.dir}${r.removed > 0 ? `, removed the partial files of ${r.removed} tiles` : ''}\n`);
  };
  try {
    if (!options.watch) {
      const r = await exportTiles(store, writer);
      if (r === null) throw new CanopyError('NOT_FOUND', 'the registry has signed no checkpoint yet');
      report(r);
      return;
    }
    await watchTiles(store, writer, { intervalMs: options.intervalMs, signal: stop, onWrite: report, onError: (e) => io.err(`canopy: export failed, retrying: ${(e as Error).message}\n`) });
  } finally {
    await store.close();
  }
}

/**
 * Maps `follow` flags to options.
 * @throws {CanopyError} KEY_MALFORMED for a bad key; INVALID_INPUT for --quorum without
 *   enough --cosigner keys, or --tiles with --verify proofs; NOT_FOUND for a key file that is missing
 * @example followOptionsFromFlags({ registry: url, registryKey: 'registry.vkey', verify: 'tiles', cosigner: [] })
 */
export function followOptionsFromFlags(flags: FollowFlags): FollowOptions {
  const registryKey = readVerifierKeyArg(flags.registryKey);
  noteVerifier(registryKey);
  const cosigners = flags.cosigner.map(readVerifierKeyArg);
  const quorum = flags.quorum ?? 0;
  if (quorum > cosigners.length) throw new CanopyError('INVALID_INPUT', `--quorum ${quorum} needs at least ${quorum} --cosigner keys, got ${cosigners.length}`);
  if (flags.verify === 'proofs' && flags.tiles !== undefined) throw new CanopyError('INVALID_INPUT', '--tiles is for --verify tiles');
  const registry = new URL(flags.registry).href.replace(/\/+$/, '');
  return {
    registry,
    policy: { registryKey, cosigners, quorum },
    after: flags.after ?? null,
    limit: flags.limit ?? null,
    statePath: flags.state ?? null,
    verify: flags.verify === 'proofs' ? { kind: 'proofs' } : { kind: 'tiles', location: flags.tiles ?? registry },
    mode: flags.poll === true || flags.untilCaughtUp === true ? 'poll' : 'stream',
    untilCaughtUp: flags.untilCaughtUp === true,
  };
}

/**
 * Follows the registry, printing verified entries as JSON lines, until the limit, the end
 * (--until-caught-up) or `stop`.
 * @returns how many entries were printed
 * @throws {CanopyError} INVALID_INPUT for a state of another log or --after with an
 *   existing state; PROOF_INVALID for a batch that fails its checks (nothing of it printed)
 * @example await runFollow(followOptionsFromFlags(flags), io, controller.signal)
 */
export async function runFollow(options: FollowOptions, io: CliIo, stop: AbortSignal): Promise<number> {
  const origin = noteVerifier(options.policy.registryKey).name;
  const state = options.statePath === null ? null : await readFollowState(options.statePath);
  if (state !== null && state.origin !== origin) throw new CanopyError('INVALID_INPUT', `${options.statePath} follows ${JSON.stringify(state.origin)}, not ${JSON.stringify(origin)}`);
  if (state !== null && options.after !== null) throw new CanopyError('INVALID_INPUT', `${options.statePath} already holds a position (after ${state.after}); drop --after or the state file`);
  const after = state?.after ?? options.after;
  const trusted = state?.checkpoint ?? null;
  const verifier: BatchVerifier =
    options.verify.kind === 'tiles'
      ? tilesBatchVerifier({ location: options.verify.location, policy: options.policy, trusted })
      : proofsBatchVerifier({ client: new RegistryClient({ baseUrl: options.registry }), policy: options.policy, trusted });
  const internal = new AbortController();
  const onStop = (): void => internal.abort();
  stop.addEventListener('abort', onStop, { once: true });
  let printed = 0;
  try {
    // With a limit, no page is larger than what will be printed: nothing is verified in vain.
    const pageSize = options.limit === null ? MAX_FOLLOW_LIMIT : Math.min(MAX_FOLLOW_LIMIT, options.limit);
    for await (const batch of followLog({ registry: options.registry, verifier, after, mode: options.mode, pageSize, untilCaughtUp: options.untilCaughtUp, signal: internal.signal })) {
      const room = options.limit === null ? batch.entries.length : Math.min(batch.entries.length, options.limit - printed);
      const emitted = batch.entries.slice(0, room);
      io.out(emitted.map((e) => `${JSON.stringify({ sequence: e.sequence, leafHash: e.leafHash, entry: e.entry })}\n`).join(''));
      printed += emitted.length;
      if (options.statePath !== null && emitted.length > 0) {
        await writeFollowState(options.statePath, { format: FOLLOW_STATE_FORMAT, origin, after: emitted[emitted.length - 1]!.sequence, checkpoint: batch.checkpoint.note });
      }
      if (options.limit !== null && printed >= options.limit) break;
    }
  } finally {
    stop.removeEventListener('abort', onStop);
  }
  return printed;
}

function intFlag(min: number, max: number) {
  return (value: string): number => {
    if (!/^(0|[1-9][0-9]{0,15})$/.test(value) || Number(value) < min || Number(value) > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
    return Number(value);
  };
}

function verifyFlag(value: string): 'tiles' | 'proofs' {
  if (value !== 'tiles' && value !== 'proofs') throw new InvalidArgumentError(`expected tiles or proofs, got ${JSON.stringify(value)}`);
  return value;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Adds `export-tiles` and `follow` to the `registry` command (registerRegistry must have run).
 * @throws {Error} bug() if there is no `registry` command
 * @example registerRegistryTiles(program, processIo)
 */
export function registerRegistryTiles(program: Command, io: CliIo): void {
  const registry = program.commands.find((c) => c.name() === 'registry');
  if (registry === undefined) return bug('registerRegistryTiles', 'no registry command to extend');

  registry
    .command('export-tiles')
    .description("Write the registry's read path as C2SP tlog-tiles (checkpoint, tiles, entry bundles, checkpoint history) into DIR, for any static web server.")
    .argument('<dir>', 'directory to write (created if missing); serve it as the log URL prefix')
    .option('--data <dir>', "the registry's SQLite data folder (as given to serve)")
    .option('--database <url>', 'PostgreSQL connection URL instead of --data')
    .option('--watch', 'keep writing as new checkpoints are signed, until SIGINT or SIGTERM')
    .option('--interval <ms>', 'with --watch: how often to look for a new checkpoint', intFlag(1, 3_600_000), 1000)
    .option('--no-fsync', 'do not fsync files before renaming them into place (faster, not crash-safe)')
    .option('--json', 'print each write as JSON')
    .action(async (dir: string, flags: ExportTilesFlags) => {
      const options = exportTilesOptionsFromFlags(dir, flags);
      await untilSignal((stop) => runExportTiles(options, io, stop));
    });

  registry
    .command('follow')
    .description('Print the log as JSON lines, one per entry, each checked against a signed checkpoint first; resumable with --state.')
    .requiredOption('--registry <url>', 'registry base URL')
    .requiredOption('--registry-key <key-or-file>', "the registry's note verifier key (e.g. <data>/registry.vkey)")
    .option('--after <seq>', 'start after this sequence number (default: from entry 0)', intFlag(0, 2 ** 51 - 1))
    .option('--limit <n>', 'stop after printing n entries', intFlag(1, 2 ** 51))
    .option('--state <file>', 'remember the position (and the last checkpoint) here, and resume from it')
    .option('--verify <how>', 'check entries through tiles or through the proof routes', verifyFlag, 'tiles')
    .option('--tiles <url-or-dir>', 'where to read tiles from (default: the registry itself); a mirror works')
    .option('--cosigner <key-or-file>', 'a witness key whose cosignature counts toward --quorum (repeatable)', collect, [])
    .option('--quorum <n>', 'how many of the --cosigner keys must have cosigned each checkpoint', intFlag(0, 64))
    .option('--poll', 'page through GET /v1/follow instead of the event stream')
    .option('--until-caught-up', 'stop at the first page with no new entry (implies --poll)')
    .action(async (flags: FollowFlags) => {
      const options = followOptionsFromFlags(flags);
      const printed = await untilSignal((stop) => runFollow(options, io, stop));
      io.err(`followed ${printed} entries\n`);
    });
}
