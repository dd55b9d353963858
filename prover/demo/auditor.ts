/**
 * Step 8 of the demo: the auditor, who trusts only the registry's note key and the demo's
 * verification keys.
 *
 * 1. Replays the whole log (`canopy audit`): every entry re-encoded and hashed, every
 *    proof re-verified with the pinned keys, both Poseidon trees and the RFC 6962 tree
 *    recomputed and compared with every signed checkpoint. The report is written to
 *    auditor/audit-report.json and the state to auditor/audit-state.json (what a later
 *    `canopy audit --state` resumes from).
 * 2. Cosigns the checkpoint it verified (C2SP cosignature/v1 under its party key); the
 *    registry then serves the checkpoint with the auditor's cosignature, which importers
 *    may require (`cosigners` in their policy).
 * 3. Checks a disclosure of one farm's plot (`canopy disclose plot` by the farm,
 *    `canopy audit disclosure` by the auditor): the declared polygon rasterises on the
 *    committed dataset to exactly the proven mask, its windows and leaves recompute, the
 *    leaves are in the registry under the signed plots root, the attestation's proofs
 *    verify, and the dataset was registered with the manifest the auditor recomputed.
 * @module
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CanopyError } from '../../core/errors.ts';
import { auditRegistry, type AuditReport } from '../../verifier/audit/audit-registry.ts';
import { writeAuditState } from '../../verifier/audit/audit-state.ts';
import { checkDisclosure } from '../../verifier/audit/check-disclosure.ts';
import type { PlotDisclosureReport } from '../../verifier/audit/check-plot-disclosure.ts';
import { cosignCheckpoint, type CosignResult } from '../../verifier/audit/cosign.ts';
import { pinsFromSetup } from '../../verifier/audit/pinned-keys.ts';
import { disclosePlot } from '../disclose/plot-disclosure.ts';
import { partyOf, type DemoContext } from './_demo-context.ts';
import type { FarmAttestation } from './attest-plots.ts';

/** What step 8 established. */
export interface AuditResult {
  ok: boolean;
  checkpointSize: number;
  /** Entries replayed, by type, and proofs re-verified. */
  entries: number;
  byType: Record<string, number>;
  proofs: number;
  lots: { leaves: number; root: string };
  plots: { leaves: number; root: string };
  nullifiers: number;
  cosigned: { cosignerKey: string; signedBy: string[] };
  disclosure: { farm: string; file: string; ok: boolean; checks: string[]; failure: { check: string; message: string } | null };
  files: { report: string; state: string; disclosure: string; disclosureReport: string };
}

/**
 * Audits the log, cosigns its checkpoint and checks a plot disclosure (module doc).
 * @throws {CanopyError} AUDIT_FAILED naming the first inconsistency (check, entry or
 *   checkpoint, expected and found), or a disclosure check that failed; {ApiError} when
 *   the registry cannot be read or refuses the cosignature
 * @example const audit = await auditorChecks(ctx, attested)
 */
export async function auditorChecks(ctx: DemoContext, farms: readonly FarmAttestation[]): Promise<AuditResult> {
  const say = (l: string) => ctx.narrator.say(l);
  const s = ctx.scenario;
  const dir = ctx.paths.auditor;
  const files = { report: join(dir, 'audit-report.json'), state: join(dir, 'audit-state.json'), disclosure: join(dir, `${s.auditor.disclosesFarm}.plot-disclosure.json`), disclosureReport: join(dir, 'disclosure-report.json') };
  const registryKey = ctx.registry.verifierKey;
  const pins = pinsFromSetup(ctx.keysDir);

  // 1. The replay.
  const report: AuditReport = await auditRegistry({ registry: ctx.registry.client, registryKey, pins, state: null });
  writeFileSync(files.report, `${JSON.stringify({ ...report, state: undefined }, null, 2)}\n`);
  if (!report.ok || report.totals === null || report.state === null || report.checkpoint === null) {
    throw new CanopyError('AUDIT_FAILED', `the audit failed: ${report.failure?.message ?? 'no checkpoint verified'} (entries before it were verified: ${report.replayed.to})`);
  }
  await writeAuditState(files.state, report.state);
  const t = report.totals;
  const byType = Object.entries(t.entries).map(([type, n]) => `${n} ${type}`).join(', ');
  say(`   replayed ${report.replayed.entries} entries (${byType})`);
  say(`   re-verified ${report.replayed.proofs} Groth16 proofs; recomputed the lots tree (${t.lots.leaves} leaves), the plots tree (${t.plots.leaves} leaves) and the log tree; ${report.replayed.checkpoints} signed checkpoints match`);
  say(`   nullifiers: ${t.nullifiers} spent, none twice; checkpoint of size ${report.checkpoint.size} verified in ${report.seconds.toFixed(1)} s`);

  // 2. The cosignature.
  const auditor = partyOf(ctx, s.auditor.id);
  const cosigned: CosignResult = await cosignCheckpoint({ registry: ctx.registry.client, registryKey, note: report.state.checkpoint, auditor: { partyId: auditor.id, signerKey: auditor.signer.signerKey } });
  say(`   cosigned checkpoint ${report.checkpoint.size} as witness ${auditor.id}; the registry now serves it signed by ${cosigned.signedBy.join(' and ')}`);

  // 3. The disclosure of one farm's plot, handed over by the farm.
  const farm = farms.find((f) => f.id === s.auditor.disclosesFarm);
  if (farm === undefined || farm.proven === null) throw new CanopyError('INVALID_INPUT', `${s.auditor.disclosesFarm} proved no plot, so it has nothing to disclose: choose a farm whose plot is deforestation-free ("auditor.disclosesFarm" in ${s.file})`);
  await disclosePlot({ proofFile: farm.proven.proofFile, openingFile: farm.proven.openingFile, geojsonFile: farm.plotFile, outFile: files.disclosure });
  const checked = (await checkDisclosure({ disclosure: files.disclosure, registry: ctx.registry.client, registryKey, pins, datasetDir: ctx.paths.dataset })) as PlotDisclosureReport;
  writeFileSync(files.disclosureReport, `${JSON.stringify(checked, null, 2)}\n`);
  if (!checked.ok) throw new CanopyError('AUDIT_FAILED', `the disclosure of ${farm.name}'s plot failed check "${checked.failure?.check}": ${checked.failure?.message}`);
  say(`   ${farm.name} disclosed its plot (${checked.plot.pixels} px in ${checked.plot.windows} windows); checks passed: ${checked.checks.map((c) => c.check).join(', ')}`);

  return {
    ok: true,
    checkpointSize: report.checkpoint.size,
    entries: report.replayed.entries,
    byType: { ...t.entries },
    proofs: report.replayed.proofs,
    lots: t.lots,
    plots: t.plots,
    nullifiers: t.nullifiers,
    cosigned: { cosignerKey: cosigned.cosignerKey, signedBy: cosigned.signedBy },
    disclosure: { farm: farm.id, file: files.disclosure, ok: checked.ok, checks: checked.checks.filter((c) => c.ok).map((c) => c.check), failure: checked.failure },
    files,
  };
}
