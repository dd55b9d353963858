/**
 * `canopy audit …`: check a registry as an auditor or competent authority.
 *
 *     canopy audit (--registry URL | --tiles URL_OR_DIR) --registry-key VKEY|FILE (--keys DIR … | --vkey-hash CIRCUIT=HEX …)
 *                  [--depths LOTS:PLOTS] [--state FILE] [--cosign --key FILE [--party ID]] [--json]
 *     canopy audit consistency (--registry URL | --tiles URL_OR_DIR) --registry-key VKEY|FILE --from N --to M [--json]
 *     canopy audit disclosure FILE --registry URL --registry-key VKEY|FILE (--keys DIR … | --vkey-hash …)
 *                  [--dataset DIR] [--json]
 *
 * Each maps its flags to a typed options object (`auditOptionsFromFlags`, …) and calls the
 * library (verifier/audit/audit-registry.ts, audit-consistency.ts, cosign.ts,
 * check-disclosure.ts). Exit codes: 0 when every check passed; 1 naming the first
 * inconsistency (or a registry that cannot be read, or bad input); 2 for bad usage. The
 * state file is written (atomically) only after an audit that passed; cosigning happens
 * after that, so a refused cosignature never loses a verified state.
 *
 * `--tiles` reads the log from C2SP tiles instead of the registry's API: a mirror's URL
 * prefix or a directory written by `canopy registry export-tiles`, through a `TiledLog`
 * that authenticates every tile against checkpoints signed by the registry key. A mirror
 * serves no verification keys, so the pins must carry their key files (`--keys DIR`).
 * With both `--tiles` and `--registry`, the log is read from the tiles and `--cosign`
 * posts to the registry; `--cosign` always needs `--registry`. Disclosures need the
 * registry's look-up routes and take no `--tiles`.
 * @module
 */
import { InvalidArgumentError, type Command } from 'commander';
import { CanopyError } from '../../../core/errors.ts';
import { readSignerKeyFile, readVerifierKeyArg } from '../../../registry/api/key-files.ts';
import type { TreeDepths } from '../../../registry/log/registry-trees.ts';
import { auditConsistency, type ConsistencyOptions } from '../../../verifier/audit/audit-consistency.ts';
import { type AuditReport, auditRegistry } from '../../../verifier/audit/audit-registry.ts';
import { tiledAuditSource } from '../../../verifier/audit/audit-source.ts';
import { readAuditState, writeAuditState } from '../../../verifier/audit/audit-state.ts';
import { checkDisclosure, type DisclosureCheckOptions } from '../../../verifier/audit/check-disclosure.ts';
import { cosignCheckpoint } from '../../../verifier/audit/cosign.ts';
import { type PinnedKey, pinsFromHashes, pinsFromSetup } from '../../../verifier/audit/pinned-keys.ts';
import { printJson, type CliIo } from '../io.ts';

/** Flags shared by the commands that verify proofs. */
export interface PinFlags {
  keys?: string[];
  vkeyHash?: string[];
}

/** Flags of `canopy audit`, as commander delivers them. */
export interface AuditFlags extends PinFlags {
  registry?: string;
  tiles?: string;
  registryKey: string;
  depths?: TreeDepths;
  state?: string;
  cosign?: boolean;
  key?: string;
  party?: string;
  json?: boolean;
}

/** What `canopy audit` runs. */
export interface AuditCommandOptions {
  /** Where the log is read: the registry's API, or C2SP tiles at a URL prefix or in a directory. */
  source: { kind: 'registry'; url: string } | { kind: 'tiles'; location: string };
  /** The registry's URL, where --cosign posts (null without --registry). */
  registry: string | null;
  registryKey: string;
  pins: PinnedKey[];
  depths?: TreeDepths;
  stateFile?: string;
  /** The auditor's party id and signer key, when cosigning. */
  cosign?: { partyId: string; signerKey: string };
}

/** Flags of `canopy audit consistency`. */
export interface ConsistencyFlags {
  registry?: string;
  tiles?: string;
  registryKey: string;
  from: number;
  to: number;
  json?: boolean;
}

/** Flags of `canopy audit disclosure`. */
export interface DisclosureFlags extends PinFlags {
  registry?: string;
  registryKey: string;
  dataset?: string;
  json?: boolean;
}

/**
 * Parses a log size flag: a canonical decimal, 0..2^51.
 * @throws {InvalidArgumentError} otherwise
 * @example parseSize('120') // 120
 */
export function parseSize(value: string): number {
  if (!/^(0|[1-9][0-9]{0,15})$/.test(value) || Number(value) > 2 ** 51) throw new InvalidArgumentError(`expected a log size from 0 to 2^51, got ${JSON.stringify(value)}`);
  return Number(value);
}

/**
 * Parses --depths LOTS:PLOTS, each 1..32.
 * @throws {InvalidArgumentError} otherwise
 * @example parseDepths('10:10') // { lots: 10, plots: 10 }
 */
export function parseDepths(value: string): TreeDepths {
  const m = /^([1-9][0-9]?):([1-9][0-9]?)$/.exec(value);
  if (m === null || Number(m[1]) > 32 || Number(m[2]) > 32) throw new InvalidArgumentError(`expected LOTS:PLOTS tree depths from 1 to 32, got ${JSON.stringify(value)}`);
  return { lots: Number(m[1]), plots: Number(m[2]) };
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * The pins of --keys DIR (repeatable) and --vkey-hash CIRCUIT=HEX (repeatable).
 * @throws {CanopyError} INVALID_INPUT when neither is given; as `pinsFromSetup`, `pinsFromHashes`
 * @example pinsFromFlags({ keys: ['circuits/build/demo'] })
 */
export function pinsFromFlags(flags: PinFlags): PinnedKey[] {
  const pins = [...(flags.keys ?? []).flatMap((dir) => pinsFromSetup(dir)), ...pinsFromHashes(flags.vkeyHash ?? [])];
  if (pins.length === 0) throw new CanopyError('INVALID_INPUT', 'pin the verification keys the audit trusts: --keys SETUP_DIR (its manifest.json) or --vkey-hash CIRCUIT=SHA256');
  return pins;
}

/**
 * Maps `canopy audit` flags to options.
 * @throws {CanopyError} INVALID_INPUT (no pins; neither --registry nor --tiles; --cosign
 *   without --key or --registry); NOT_FOUND (a key file); KEY_MALFORMED
 * @example auditOptionsFromFlags({ registry: url, registryKey: 'registry.vkey', keys: ['circuits/build/demo'] })
 */
export function auditOptionsFromFlags(flags: AuditFlags): AuditCommandOptions {
  const options: AuditCommandOptions = { source: sourceFromFlags(flags), registry: flags.registry ?? null, registryKey: readVerifierKeyArg(flags.registryKey), pins: pinsFromFlags(flags) };
  if (flags.depths !== undefined) options.depths = flags.depths;
  if (flags.state !== undefined) options.stateFile = flags.state;
  if (flags.cosign === true) {
    if (flags.key === undefined) throw new CanopyError('INVALID_INPUT', '--cosign needs the auditor party key: --key FILE');
    if (flags.registry === undefined) throw new CanopyError('INVALID_INPUT', '--cosign posts the cosignature to the registry: give --registry URL (the log may still be read from --tiles)');
    const key = readSignerKeyFile(flags.key);
    options.cosign = { partyId: flags.party ?? key.name, signerKey: key.signerKey };
  } else if (flags.key !== undefined || flags.party !== undefined) {
    throw new CanopyError('INVALID_INPUT', '--key and --party are for --cosign');
  }
  return options;
}

/**
 * Maps `canopy audit consistency` flags to options.
 * @throws {CanopyError} INVALID_INPUT when --from exceeds --to; as `readVerifierKeyArg`
 * @example consistencyOptionsFromFlags({ registry: url, registryKey: vkey, from: 3, to: 9 })
 */
export function consistencyOptionsFromFlags(flags: ConsistencyFlags): ConsistencyOptions {
  if (flags.from > flags.to) throw new CanopyError('INVALID_INPUT', `--from ${flags.from} is after --to ${flags.to}`);
  const registryKey = readVerifierKeyArg(flags.registryKey);
  const source = sourceFromFlags(flags);
  return { registry: source.kind === 'tiles' ? tiledAuditSource(source.location, registryKey) : source.url, registryKey, from: flags.from, to: flags.to };
}

/**
 * Where `canopy audit` and `canopy audit consistency` read the log: --tiles when given,
 * else --registry.
 * @throws {CanopyError} INVALID_INPUT when neither is given
 * @example sourceFromFlags({ tiles: '/srv/mirror', registryKey }) // { kind: 'tiles', location: '/srv/mirror' }
 */
export function sourceFromFlags(flags: { registry?: string; tiles?: string }): AuditCommandOptions['source'] {
  if (flags.tiles !== undefined) return { kind: 'tiles', location: flags.tiles };
  if (flags.registry !== undefined) return { kind: 'registry', url: flags.registry };
  throw new CanopyError('INVALID_INPUT', 'give the registry (--registry URL) or a tiles location (--tiles URL_OR_DIR)');
}

/**
 * Maps `canopy audit disclosure` flags to options.
 * @throws as `pinsFromFlags`, `readVerifierKeyArg`
 * @example disclosureOptionsFromFlags('farm.disclosure.json', { registry: url, registryKey: vkey, keys: ['circuits/build/demo'], dataset: 'ds' })
 */
export function disclosureOptionsFromFlags(file: string, flags: DisclosureFlags): DisclosureCheckOptions {
  if (flags.registry === undefined) throw new CanopyError('INVALID_INPUT', 'a disclosure is checked against the registry: give --registry URL');
  return { disclosure: file, registry: flags.registry, registryKey: readVerifierKeyArg(flags.registryKey), pins: pinsFromFlags(flags), ...(flags.dataset !== undefined ? { datasetDir: flags.dataset } : {}) };
}

/**
 * Runs `canopy audit`: audit, write the state, cosign; prints the report.
 * @throws {CanopyError} AUDIT_FAILED naming the first inconsistency (after printing the report); whatever the steps throw
 * @example await runAudit(options, io, false)
 */
export async function runAudit(options: AuditCommandOptions, io: CliIo, json: boolean): Promise<AuditReport> {
  const state = options.stateFile === undefined ? null : await readAuditState(options.stateFile);
  // A line a second at most, and the last one always.
  let last = performance.now();
  const report = await auditRegistry({
    registry: options.source.kind === 'tiles' ? tiledAuditSource(options.source.location, options.registryKey) : options.source.url,
    registryKey: options.registryKey,
    pins: options.pins,
    ...(options.depths ? { depths: options.depths } : {}),
    state,
    onProgress: (p) => {
      const now = performance.now();
      if (p.done < p.total && now - last < 1000) return;
      last = now;
      io.err(`${io.isTty ? '\r\x1b[K' : ''}replayed ${p.done}/${p.total} entries, ${p.proofs} proofs verified${io.isTty && p.done < p.total ? '' : '\n'}`);
    },
  });
  if (report.ok && options.stateFile !== undefined) await writeAuditState(options.stateFile, report.state!);
  let cosignature: Awaited<ReturnType<typeof cosignCheckpoint>> | null = null;
  if (report.ok && options.cosign !== undefined) {
    // Invariant: auditOptionsFromFlags refuses --cosign without --registry.
    if (options.registry === null) throw new CanopyError('INVALID_INPUT', '--cosign needs --registry');
    cosignature = await cosignCheckpoint({ registry: options.registry, registryKey: options.registryKey, note: report.state!.checkpoint, auditor: options.cosign });
  }
  if (json) {
    const { state: _state, ...rest } = report;
    printJson(io, { ...rest, stateFile: report.ok ? (options.stateFile ?? null) : null, cosignature });
  } else {
    io.out(formatAuditReport(report, options.stateFile, cosignature));
  }
  if (!report.ok) throw new CanopyError('AUDIT_FAILED', report.failure!.message);
  return report;
}

/**
 * The human-readable report of an audit.
 * @example io.out(formatAuditReport(report, 'audit-state.json', null))
 */
export function formatAuditReport(r: AuditReport, stateFile: string | undefined, cosignature: { cosignerKey: string; timestamp: number } | null): string {
  const lines: string[] = [];
  const cp = r.checkpoint;
  lines.push(`audit of ${r.origin ?? 'the registry'}${cp ? ` at checkpoint ${cp.size} (root ${cp.rootHash})` : ''}: ${r.ok ? 'ok' : 'FAILED'}`);
  if (r.previous) lines.push(`  continued from checkpoint ${r.previous.size} (consistent)`);
  lines.push(`  replayed entries [${r.replayed.from}, ${r.replayed.to}): ${r.replayed.entries} entries, ${r.replayed.proofs} proofs, ${r.replayed.checkpoints} checkpoints (${r.seconds.toFixed(1)} s)`);
  if (r.totals) {
    const types = Object.entries(r.totals.entries).map(([t, n]) => `${t} ${n}`).join(', ');
    lines.push(`  log: ${types || 'no entries'}; ${r.totals.proofs} proofs verified`);
    lines.push(`  lots tree ${r.totals.lots.leaves} leaves, root ${r.totals.lots.root}`);
    lines.push(`  plots tree ${r.totals.plots.leaves} leaves, root ${r.totals.plots.root}`);
    lines.push(`  ${r.totals.nullifiers} nullifiers spent, ${r.totals.datasets} datasets, parties ${r.totals.parties.active} active and ${r.totals.parties.revoked} revoked, ${r.totals.logPinnedKeys} keys pinned by the log`);
  }
  for (const u of r.keys.unpinned) lines.push(`  note: the registry serves ${u.circuit} key ${u.vkeyHash}, not used (${u.reason})`);
  if (r.failure) {
    lines.push(`  FIRST INCONSISTENCY: ${r.failure.check}`);
    if (r.failure.sequence !== undefined) lines.push(`    entry     ${r.failure.sequence}${r.failure.entryType ? ` (${r.failure.entryType})` : ''}`);
    if (r.failure.checkpointSize !== undefined) lines.push(`    checkpoint ${r.failure.checkpointSize}`);
    if (r.failure.expected !== undefined) lines.push(`    expected  ${r.failure.expected}`);
    if (r.failure.found !== undefined) lines.push(`    found     ${r.failure.found}`);
  } else if (stateFile !== undefined) {
    lines.push(`  state written to ${stateFile}`);
  }
  if (cosignature) lines.push(`  cosigned the checkpoint (cosigner key ${cosignature.cosignerKey}, time ${cosignature.timestamp})`);
  return `${lines.join('\n')}\n`;
}

const AUDIT_HELP = `
Checks that the registry's log is append-only and every entry in it is valid, reading it
from the registry (--registry URL) or from C2SP tiles (--tiles URL_OR_DIR: a mirror, or a
directory written by \`canopy registry export-tiles\`; every tile is authenticated against
the checkpoints signed by the registry key, and the keys must be pinned with their files,
--keys DIR, since tiles carry none):
  1 the latest checkpoint's signature (--registry-key);
  2 with --state FILE from an earlier run: the RFC 9162 consistency proof from the
    remembered checkpoint (a fork or rollback fails here);
  3 the verification keys: --keys DIR pins a setup folder's manifest.json (the key files
    beside it are used when present), --vkey-hash CIRCUIT=SHA256 pins one key; keys not
    found locally are fetched from /v1/artifacts and must hash to their pin;
  4 every entry after the remembered position: canonical encoding, leaf hash, the RFC 6962
    root of every checkpoint, the interpretation tables, public parameters, every proof
    re-verified, roots published before use, nullifiers spent once, parties and datasets;
    the lots and plots Poseidon trees are rebuilt and every checkpoint's roots compared.
Exit code 0 when everything verified (the state file is then written atomically, and with
--cosign the checkpoint is cosigned as a witness); 1 naming the first inconsistency: the
check, the entry (sequence number and type) or checkpoint, what was expected and found.
Progress goes to stderr. See docs/audit.md.
`;

/**
 * Registers `canopy audit`, `canopy audit consistency` and `canopy audit disclosure`.
 * The registry, key, pin and --json flags belong to `audit` and are shared by its
 * subcommands (commander's global options: accepted before or after the subcommand).
 * @example registerAudit(program, processIo);
 */
export function registerAudit(program: Command, io: CliIo): void {
  const audit = program
    .command('audit')
    .description('Audit a registry: replay its log, re-verify every proof, check its checkpoints; check consistency or a disclosure.')
    .configureHelp({ showGlobalOptions: true })
    // Not requiredOption: commander would demand them before --help of a subcommand too.
    .option('--registry <url>', 'registry base URL (required unless --tiles; --cosign posts there)')
    .option('--tiles <url-or-dir>', "read the log from C2SP tiles at a URL prefix or in a directory instead of the registry's API")
    .option('--registry-key <vkey-or-file>', "the registry's note verifier key, or a file holding it (required)")
    .option('--keys <dir>', 'pin the keys of a setup folder (its manifest.json); repeatable', collect)
    .option('--vkey-hash <circuit=sha256>', 'pin one verification key by SHA-256; repeatable', collect)
    .option('--depths <lots:plots>', 'tree depths (default: from the pinned lot circuits)', parseDepths)
    .option('--state <file>', 'audit state: read if present, written after a passing audit')
    .option('--cosign', 'cosign the verified checkpoint as a witness (needs --key)')
    .option('--key <file>', 'the auditor party signer key file, for --cosign')
    .option('--party <id>', 'the auditor party id (default: the key name)')
    .option('--json', 'print the report as JSON on stdout')
    .addHelpText('after', AUDIT_HELP)
    .action(async (flags: AuditFlags) => {
      requireSource(audit, flags, true);
      await runAudit(auditOptionsFromFlags(flags), io, flags.json === true);
    });

  const consistency = audit
    .command('consistency')
    .description('Check that two published checkpoints belong to one append-only log (with --registry, --registry-key).')
    .requiredOption('--from <size>', 'size of the older checkpoint', parseSize)
    .requiredOption('--to <size>', 'size of the newer checkpoint', parseSize)
    .action(async () => {
      const flags = consistency.optsWithGlobals<ConsistencyFlags & AuditFlags>();
      requireSource(consistency, flags, true);
      onlyAuditFlags(consistency, flags, []);
      const r = await auditConsistency(consistencyOptionsFromFlags(flags));
      if (flags.json) printJson(io, r);
      else if (r.ok) io.out(`consistent: checkpoint ${r.from!.size} (root ${r.from!.rootHash}) is a prefix of checkpoint ${r.to!.size} (root ${r.to!.rootHash}); proof of ${r.proofHashes} hashes\n`);
      if (!r.ok) throw new CanopyError('AUDIT_FAILED', r.failure!.message);
    });

  const disclosure = audit
    .command('disclosure')
    .description('Check a plot or lot disclosure against the registry (with --registry, --registry-key and pinned keys).')
    .argument('<file>', 'disclosure file written by `canopy disclose plot|lot`')
    .option('--dataset <dir>', 'the dataset folder a plot was proven on (required for a plot)')
    .action(async (file: string) => {
      const flags = disclosure.optsWithGlobals<DisclosureFlags & AuditFlags>();
      requireSource(disclosure, flags, false);
      onlyAuditFlags(disclosure, flags, ['keys', 'vkeyHash']);
      const r = await checkDisclosure(disclosureOptionsFromFlags(file, flags));
      if (flags.json) printJson(io, r);
      else {
        const lines = [`${r.kind} disclosure ${file}: ${r.ok ? 'checks' : 'FAILED'}`];
        for (const c of r.checks) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.check.padEnd(18)} ${c.detail}`);
        if (r.kind === 'lot' && r.ok) {
          const l = r.lot;
          lines.push(`  lot: commodity ${l.commodity}, ${l.quantityGrams} g, ${l.emissionsGramsCo2e} g CO2e (${l.intensityGramsPerKg ?? '—'} g CO2e/kg), ${l.deforestationFree ? 'deforestation-free' : 'not claimed deforestation-free'}`);
        }
        io.out(`${lines.join('\n')}\n`);
      }
      if (!r.ok) throw new CanopyError('AUDIT_FAILED', `${file}: ${r.failure!.message}`);
    });
}

/**
 * Exit 2, as commander does for a missing mandatory option, unless the log's source
 * (--registry, or --tiles where `tiles` allows it) and --registry-key are given.
 */
function requireSource(cmd: Command, flags: { registry?: string; tiles?: string; registryKey?: string }, tiles: boolean): void {
  if (!tiles && flags.tiles !== undefined) cmd.error(`error: option '--tiles' is not for \`audit ${cmd.name()}\`: it reads the registry's look-up routes (--registry)`, { exitCode: 2, code: 'commander.unknownOption' });
  if (flags.registry === undefined && (!tiles || flags.tiles === undefined)) {
    cmd.error(`error: required option '--registry <url>'${tiles ? " (or '--tiles <url-or-dir>')" : ''} not specified`, { exitCode: 2, code: 'commander.missingMandatoryOptionValue' });
  }
  if (flags.registryKey === undefined) cmd.error("error: required option '--registry-key <vkey-or-file>' not specified", { exitCode: 2, code: 'commander.missingMandatoryOptionValue' });
}

/** Exit 2 for flags of the log audit, other than `allowed`, given to a subcommand that would ignore them. */
function onlyAuditFlags(cmd: Command, flags: AuditFlags, allowed: readonly (keyof AuditFlags)[]): void {
  const own: (keyof AuditFlags)[] = ['keys', 'vkeyHash', 'depths', 'state', 'cosign', 'key', 'party'];
  for (const k of own) {
    if (flags[k] !== undefined && !allowed.includes(k)) {
      cmd.error(`error: option '--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}' is not for \`audit ${cmd.name()}\``, { exitCode: 2, code: 'commander.unknownOption' });
    }
  }
}
