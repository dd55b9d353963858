/**
 * Issuing harvest capacity from an attested plot (docs/lots.md "Capacity note",
 * `capacity_issue`): one capacity note per window of the plot for one harvest year and
 * commodity, each `pixelCount × yieldCeiling(commodity).gramsPerPixel` grams, proven from
 * the window's attestation leaf in the registry's plots tree.
 *
 * Input: the opening file `canopy plot prove` wrote beside the proof file
 * (prover/plot/opening-file.ts): per window its block, pixel count, mask hash, salt and
 * leaf; the owner secret is read from `ownerSecretFile`, or the file the opening names
 * (looked for beside the opening, then as named). Every leaf is recomputed from the opening before anything else, so a
 * damaged opening is refused in words, not by a failing witness.
 *
 * Refused early: a commodity without a yield ceiling, a cut-off later than the EUDR's, a
 * harvest year other than this one or the last (the registry's rule), a secret that is
 * not the plot owner's, a leaf the registry does not hold (with `plotProofFile`, the
 * plot's attestation is submitted first), and a window already issued for that year (its
 * issue tag is in the nullifier set). All windows' entries are submitted together, all or
 * none.
 * @module
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { capacityIssueNote, capacityIssuePublic, capacityIssuePublicSignals, capacityIssueTag, capacityIssueWitnessInput, type CapacityIssue } from '../../core/circuits/capacity-issue.ts';
import { windowAttestationLeaf, type WindowAttestation } from '../../core/circuits/plot-window.ts';
import { assertInteger, assertString } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { parseField } from '../../core/field.ts';
import { assertUint, LOT_COMMODITY_BITS, ownerKey } from '../../core/lots/note.ts';
import { EUDR_CUTOFF_CODE, YIELD_CEILINGS, yieldCeiling } from '../../core/lots/public-parameters.ts';
import { namePublicSignals } from '../../registry/log/circuit-signals.ts';
import { type LogEntry, MAX_PLOT_WINDOWS } from '../../registry/log/entry.ts';
import { PLOT_OPENING_FORMAT } from '../plot/opening-file.ts';
import { randomFieldElement, readOwnerSecret } from '../plot/owner-secret.ts';
import { parsePlotProofFile } from '../plot/proof-file.ts';
import { commitStep, newStored, runStep, type EntryOutputs, type LotCommonOptions, type LotStepResult, type StepContext } from './lot-step.ts';
import { nameOf } from './transitions.ts';

const CIRCUIT = 'capacity_issue';
/** Largest opening file read: its windows and the plot's canonical geometry. */
const MAX_OPENING_BYTES = 64 * 1024 * 1024;

/** Options of `issueCapacity`. */
export interface IssueCapacityOptions extends LotCommonOptions {
  /** The plot opening file (`<proof>.opening.json`) of `canopy plot prove`. */
  openingFile: string;
  /** The commodity the plot grows; it must have a yield ceiling. */
  commodity: bigint;
  /** The harvest year: this year or the last (UTC). */
  harvestYear: number;
  /** The plot owner's secret (default: the file the opening names, beside it). */
  ownerSecretFile?: string;
  /** The plot's proof file, submitted as its attestation when the registry lacks its leaves. */
  plotProofFile?: string;
  /** The clock deciding "this year" (default now). */
  now?: () => Date;
}

/** The fields of an opening that capacity needs. */
interface PlotOpening {
  proofFile: string;
  geometryHash: bigint;
  datasetRoot: bigint;
  cutoffCode: number;
  ownerKey: bigint;
  secretFile: string;
  windows: { attestation: WindowAttestation; leaf: bigint }[];
}

/**
 * Issues capacity for every window of an attested plot (module doc).
 * @throws {CanopyError} PARAMETER_UNKNOWN (no yield ceiling); INVALID_INPUT (opening
 *   malformed or damaged, year, cut-off, secret, leaves missing, already issued);
 *   NOT_FOUND (files); ARTIFACT_MISMATCH; ENTRY_REJECTED
 * @example await issueCapacity({ wallet, registry, signer, profile: 'demo', openingFile: 'farm.proof.opening.json', commodity: 1000001n, harvestYear: 2026 })
 */
export async function issueCapacity(options: IssueCapacityOptions): Promise<LotStepResult> {
  assertString(options.openingFile, 'openingFile', 4096);
  assertUint(options.commodity, LOT_COMMODITY_BITS, 'commodity');
  assertInteger(options.harvestYear, 'harvestYear', 0, 65_535);
  const ceiling = yieldCeiling(options.commodity);
  if (ceiling === null) {
    throw new CanopyError('PARAMETER_UNKNOWN', `no yield ceiling for commodity ${nameOf(options.commodity)}: capacity is issued for ${YIELD_CEILINGS.map((y) => nameOf(y.commodity)).join(', ')}`);
  }
  const year = (options.now ?? (() => new Date()))().getUTCFullYear();
  if (options.harvestYear !== year && options.harvestYear !== year - 1) {
    throw new CanopyError('INVALID_INPUT', `harvest year ${options.harvestYear}: capacity is issued for this year (${year}) or the last (${year - 1}), never ahead`);
  }
  const opening = readOpening(options.openingFile);
  if (opening.cutoffCode > EUDR_CUTOFF_CODE) throw new CanopyError('INVALID_INPUT', `the plot is attested at cut-off code ${opening.cutoffCode}, later than the EUDR's ${EUDR_CUTOFF_CODE} (31 Dec 2020)`);
  // The opening names the file as `plot prove` was given it: relative to where it ran, or
  // (as `plot prove` writes it by default) beside the opening; try the opening's folder first.
  const secretFile = options.ownerSecretFile ?? secretFileOf(options.openingFile, opening.secretFile);
  const { secret } = await readOwnerSecret(secretFile);
  if (ownerKey(secret) !== opening.ownerKey) throw new CanopyError('INVALID_INPUT', `${secretFile} is not the secret of the plot's owner key ${opening.ownerKey}`);

  return runStep(options, async (ctx) => {
    const { wallet, session, prover, progress } = ctx;
    const params = prover.params(CIRCUIT) as { plotsDepth: number };
    const { vkeyHash } = await prover.ensureKeys(CIRCUIT);
    await session.assertAccepts(CIRCUIT, vkeyHash);

    // The attestation leaves in the registry's plots tree.
    let found = await Promise.all(opening.windows.map((w) => session.findLeaf('plots', w.leaf)));
    if (found.some((f) => f === null)) {
      if (options.plotProofFile === undefined) {
        const missing = found.map((f, i) => (f === null ? i + 1 : 0)).filter((i) => i > 0);
        throw new CanopyError('INVALID_INPUT', `the registry's plots tree does not hold the attestation of window ${missing.join(', ')} of ${opening.windows.length}: submit the plot proof first (--plot-proof ${opening.proofFile})`);
      }
      await submitAttestation(ctx, options.plotProofFile, opening);
      found = await Promise.all(opening.windows.map((w) => session.findLeaf('plots', w.leaf)));
      if (found.some((f) => f === null)) throw new CanopyError('INVALID_INPUT', `${options.plotProofFile} is not the proof of ${options.openingFile}: its leaves are not the opening's`);
    }
    const tags = opening.windows.map((w) => capacityIssueTag(w.leaf, options.harvestYear, secret));
    await session.assertUnspent(
      tags,
      opening.windows.map((_, i) => `capacity of window ${i + 1} for harvest ${options.harvestYear}`),
    );
    const paths = await ctx.timed('tree proofs', () => session.treeProofs('plots', found.map((f) => f!.leafIndex), opening.windows.map((w) => w.leaf)));

    const outputs: EntryOutputs[] = [];
    const keep = ownerKey(secret) === wallet.ownerKey ? null : secret;
    for (const [i, w] of opening.windows.entries()) {
      const issue: CapacityIssue = {
        attestation: w.attestation,
        ownerSecret: secret,
        path: paths[i]!,
        harvestYear: options.harvestYear,
        commodity: options.commodity,
        yieldCeilingGramsPerPixel: ceiling.gramsPerPixel,
        capacitySalt: randomFieldElement(),
      };
      const note = capacityIssueNote(issue);
      const pub = capacityIssuePublic(issue);
      progress(`proving capacity of window ${i + 1}/${opening.windows.length}: ${w.attestation.pixelCount} px × ${ceiling.gramsPerPixel} g = ${note.capacityGrams} g of ${nameOf(options.commodity)}, harvest ${options.harvestYear} (${CIRCUIT}, profile ${prover.profile})`);
      const proved = await ctx.timed('prove', () => prover.prove(CIRCUIT, capacityIssueWitnessInput(issue, params.plotsDepth), capacityIssuePublicSignals(pub)));
      progress(`proved window ${i + 1} in ${proved.seconds.toFixed(1)} s (${proved.prover})`);
      const entry: LogEntry = {
        type: 'capacity-issue',
        version: 1,
        body: { proof: { circuit: CIRCUIT, vkeyHash: proved.vkeyHash, proof: proved.proof, publicSignals: namePublicSignals(CIRCUIT, proved.publicSignals) } },
      };
      outputs.push({ entry, notes: [newStored({ kind: 'capacity', note, commitment: pub.capacityCommitment }, keep, `capacity of ${opening.proofFile} window ${i + 1}, harvest ${options.harvestYear}`)] });
    }
    const committed = await commitStep(ctx, outputs, []);
    return { entry: outputs[0]!.entry, receipt: committed.receipts[0]!, entries: outputs.map((o) => o.entry), receipts: committed.receipts, notes: committed.notes, passports: [], seconds: ctx.seconds };
  });
}

/** Submits the plot's attestation (one `plot-attestation` entry) and waits for its checkpoint. */
async function submitAttestation(ctx: StepContext, proofFile: string, opening: PlotOpening): Promise<void> {
  const file = parsePlotProofFile(readFileSync(proofFile, 'utf8'), proofFile);
  const leaves = file.windows.map((w) => w.publicSignals[0]!);
  const want = opening.windows.map((w) => w.leaf.toString(10));
  if (leaves.join() !== want.join()) throw new CanopyError('INVALID_INPUT', `${proofFile} is not the proof of the opening: its leaves are not the opening's`);
  const bundles = file.windows.map((w) => ({
    circuit: 'plot_window' as const,
    vkeyHash: w.artifacts.vkey.sha256,
    proof: w.proof,
    publicSignals: namePublicSignals('plot_window', w.publicSignals),
  }));
  // One entry holds at most MAX_PLOT_WINDOWS windows (entries must fit a tile entry
  // bundle); a larger plot goes in several entries of one submission, which the registry
  // appends all or none. Capacity and disclosures work per window leaf, so nothing else
  // depends on how the windows are grouped.
  const entries: LogEntry[] = [];
  for (let i = 0; i < bundles.length; i += MAX_PLOT_WINDOWS) {
    entries.push({ type: 'plot-attestation', version: 1, body: { windows: bundles.slice(i, i + MAX_PLOT_WINDOWS) } });
  }
  ctx.progress(`submitting the plot attestation of ${proofFile} (${file.windows.length} ${file.windows.length === 1 ? 'window' : 'windows'}${entries.length > 1 ? `, in ${entries.length} entries` : ''})`);
  const receipts = await ctx.timed('submit', () => ctx.session.submit(entries));
  await ctx.timed('checkpoint', () => ctx.session.waitCovered(receipts));
}

function readOpening(path: string): PlotOpening {
  const st = statSync(path, { throwIfNoEntry: false });
  if (st === undefined) throw new CanopyError('NOT_FOUND', `no plot opening file ${path}`);
  if (st.size > MAX_OPENING_BYTES) throw new CanopyError('INVALID_INPUT', `${path}: ${st.size} bytes, larger than an opening`);
  const bad = (why: string, cause?: unknown): never => {
    throw new CanopyError('INVALID_INPUT', `${path} is not a plot opening (${PLOT_OPENING_FORMAT}): ${why}`, cause === undefined ? undefined : { cause });
  };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return bad('not JSON', e);
  }
  try {
    const o = member(json, 'opening');
    if (o.format !== PLOT_OPENING_FORMAT) bad(`"format" is ${JSON.stringify(o.format)}`);
    assertString(o.proofFile, 'proofFile', 4096);
    assertInteger(o.cutoffCode, 'cutoffCode', 0, 255);
    const owner = member(o.owner, 'owner');
    assertString(owner.secretFile, 'owner.secretFile', 4096);
    if (!Array.isArray(o.windows) || o.windows.length === 0) bad('"windows" is not a non-empty array');
    const geometryHash = parseField(member(o.plot, 'plot').geometryHash, 'plot.geometryHash');
    const datasetRoot = parseField(o.datasetRoot, 'datasetRoot');
    const key = parseField(owner.ownerKey, 'owner.ownerKey');
    const cutoffCode = o.cutoffCode;
    const windows = (o.windows as unknown[]).map((x, i) => {
      const w = member(x, `windows[${i}]`);
      const attestation: WindowAttestation = {
        geometryHash,
        datasetRoot,
        cutoffCode,
        blockIndex: w.blockIndex as number,
        windowMaskHash: parseField(w.windowMaskHash, `windows[${i}].windowMaskHash`),
        pixelCount: w.pixelCount as number,
        ownerKey: key,
        salt: parseField(w.salt, `windows[${i}].salt`),
      };
      // windowAttestationLeaf checks blockIndex and pixelCount are integers in range.
      const leaf = windowAttestationLeaf(attestation);
      if (leaf.toString(10) !== w.attestationLeaf) bad(`window ${i + 1}: its fields give leaf ${leaf}, the opening says ${String(w.attestationLeaf)}`);
      return { attestation, leaf };
    });
    return { proofFile: o.proofFile, geometryHash, datasetRoot, cutoffCode, ownerKey: key, secretFile: owner.secretFile, windows };
  } catch (e) {
    if (e instanceof CanopyError) throw e;
    return bad((e as Error).message, e);
  }
}

function secretFileOf(openingFile: string, named: string): string {
  if (isAbsolute(named)) return named;
  const beside = resolve(dirname(openingFile), named);
  return existsSync(beside) || !existsSync(named) ? beside : named;
}

function member(value: unknown, title: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`"${title}" expected an object`);
  return value as Record<string, unknown>;
}
