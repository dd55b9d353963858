/**
 * `checkDisclosure`: reads a disclosure file (prover/disclose/disclosure-file.ts), resolves
 * the auditor's pinned keys (pinned-keys.ts) and runs the checks of its kind:
 * check-plot-disclosure.ts for a plot, check-lot-disclosure.ts for a lot. The report
 * lists the checks passed and names the first that failed.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { assertString } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { type Disclosure, LOT_DISCLOSURE_FORMAT, parseDisclosure } from '../../prover/disclose/disclosure-file.ts';
import { type AuditSource, auditSource, requireLookup } from './audit-source.ts';
import { checkLotDisclosure, type LotDisclosureReport } from './check-lot-disclosure.ts';
import { checkPlotDisclosure, type PlotDisclosureReport } from './check-plot-disclosure.ts';
import { type PinnedKey, resolveKeys } from './pinned-keys.ts';

/** Options of `checkDisclosure`; mirrors the flags of `canopy audit disclosure`. */
export interface DisclosureCheckOptions {
  /** A disclosure file, or a parsed disclosure. */
  disclosure: string | Disclosure;
  registry: AuditSource | string;
  registryKey: string;
  pins: readonly PinnedKey[];
  /** The dataset folder; required for a plot disclosure. */
  datasetDir?: string;
}

/** Either report. */
export type DisclosureReport = PlotDisclosureReport | LotDisclosureReport;

/**
 * Checks a disclosure (module comment).
 * @throws {CanopyError} NOT_FOUND (no file), INVALID_INPUT (malformed file, or a plot
 *   disclosure without a dataset folder); {TypeError|RangeError} for malformed options or
 *   a malformed disclosure; {ApiError} for HTTP failures
 * @example await checkDisclosure({ disclosure: 'farm.disclosure.json', registry: url, registryKey, pins, datasetDir: 'ds' })
 */
export async function checkDisclosure(options: DisclosureCheckOptions): Promise<DisclosureReport> {
  if (typeof options !== 'object' || options === null) throw new TypeError(`"options" expected DisclosureCheckOptions, got ${String(options)}`);
  assertString(options.registryKey, 'options.registryKey', 1024);
  const disclosure = typeof options.disclosure === 'string' ? parseDisclosure(await readText(options.disclosure), options.disclosure) : options.disclosure;
  if (typeof options.disclosure !== 'string') parseDisclosure(JSON.stringify(disclosure));
  const source = auditSource(options.registry) as AuditSource;
  const { keys } = await resolveKeys(options.pins, source.artifacts === undefined ? null : requireLookup(source, 'artifacts', 'resolving keys pinned by hash'));
  if (disclosure.format === LOT_DISCLOSURE_FORMAT) return checkLotDisclosure({ disclosure, registry: source, registryKey: options.registryKey, keys });
  if (options.datasetDir === undefined) throw new CanopyError('INVALID_INPUT', 'a plot disclosure is checked against its dataset: give the dataset folder (--dataset DIR)');
  assertString(options.datasetDir, 'options.datasetDir', 4096);
  return checkPlotDisclosure({ disclosure, registry: source, registryKey: options.registryKey, keys, datasetDir: options.datasetDir });
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new CanopyError('NOT_FOUND', `no disclosure file ${file}`);
    throw e;
  }
}
