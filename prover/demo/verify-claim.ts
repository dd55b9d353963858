/**
 * Step 7, second half: the importer verifies container 1 through its own verifier service
 * (`canopy verifier serve`, started in-process on 127.0.0.1 and stopped afterwards) and
 * exports what it learnt.
 *
 * The policy (written to importer/importer-policy.json, usable with `canopy verify`)
 * pins what the importer trusts and requires:
 *
 *     registries   the demo registry, by its note verifier key (the key its operator
 *                  printed: a checkpoint signed by any other key fails)
 *     artifacts    the demo keys folder: only proofs under those verification keys count
 *     datasets     only the registered Hansen crop, by root and manifest SHA-256
 *     cutoffDate   2020-12-31, the EUDR cut-off
 *     requireDeforestationFree  true
 *
 * The request is `POST /verify` with the plain passport and the importer's owner secret
 * (the note was made for its key; the secret proves the nullifier is unspent). The answer
 * is the verified claim, or 422 naming the check that failed. Exports: the claim as JSON,
 * a PACT v3 ProductFootprint, and the fields of an EUDR due-diligence statement.
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { CanopyError } from '../../core/errors.ts';
import { EUDR_CUTOFF_DATE } from '../../core/lots/public-parameters.ts';
import { claimToDdsFields } from '../../verifier/dds-fields.ts';
import { startVerifierServer } from '../../verifier/http/server.ts';
import { VerifierApi } from '../../verifier/http/verifier-api.ts';
import { formatImporterPolicy, readImporterPolicy, type ImporterPolicy } from '../../verifier/importer-policy.ts';
import { claimToPactFootprint } from '../../verifier/pact-footprint.ts';
import type { VerifiedClaim } from '../../verifier/verify-lot-passport.ts';
import { readOwnerSecret } from '../plot/owner-secret.ts';
import { partyOf, type DemoContext } from './_demo-context.ts';
import type { PublishedDataset } from './publish-dataset.ts';

/** What the importer's verification produced. */
export interface VerifiedContainer {
  claim: VerifiedClaim;
  /** The verifier service's URL while it ran (stopped when this returns). */
  verifierUrl: string;
  /** Milliseconds the `POST /verify` took. */
  verifyMs: number;
  files: { policy: string; passport: string; claim: string; pact: string; dds: string };
}

/**
 * The importer's policy (module doc).
 * @throws never
 * @example const policy = importerPolicy(ctx, dataset)
 */
export function importerPolicy(ctx: DemoContext, dataset: PublishedDataset): ImporterPolicy {
  return {
    registries: [{ origin: ctx.registry.origin, key: ctx.registry.verifierKey, url: ctx.registry.url }],
    cosigners: { k: 0, keys: [] },
    artifacts: { keysDir: ctx.keysDir, vkeyHashes: {} },
    datasets: [{ root: dataset.root, name: dataset.name, manifestSha256: dataset.manifestSha256 }],
    cutoffDate: EUDR_CUTOFF_DATE,
    maxIntensityGramsCo2ePerKg: null,
    requireDeforestationFree: true,
  };
}

/**
 * Verifies a plain passport through the verifier HTTP API and writes the exports (module doc).
 * @throws {CanopyError} CLAIM_REJECTED naming the failed check when the verifier answers
 *   422, INVALID_INPUT for any other answer; the policy's validation errors
 * @example const v = await verifyContainer(ctx, dataset, lots.passport)
 */
export async function verifyContainer(ctx: DemoContext, dataset: PublishedDataset, passportFile: string): Promise<VerifiedContainer> {
  const say = (l: string) => ctx.narrator.say(l);
  const s = ctx.scenario;
  const importer = partyOf(ctx, s.importer.id);
  const dir = ctx.paths.importer;
  const files = { policy: join(dir, 'importer-policy.json'), passport: passportFile, claim: join(dir, 'claim.json'), pact: join(dir, 'pact-footprint.json'), dds: join(dir, 'dds-fields.json') };
  writeFileSync(files.policy, formatImporterPolicy(importerPolicy(ctx, dataset)));
  // Read back as `canopy verifier serve --policy` would: the file is what the service trusts.
  const policy = await readImporterPolicy(files.policy);
  const { secret } = await readOwnerSecret(join(importer.wallet!, 'owner-secret'));

  const server = await startVerifierServer(new VerifierApi({ policy }), { port: 0, host: '127.0.0.1', logger: pino({ level: 'silent' }) });
  let claim: VerifiedClaim;
  let verifyMs: number;
  try {
    say(`   verifier service at ${server.url}: policy pins the registry key, the demo keys and the dataset, requires deforestation-free`);
    const t0 = performance.now();
    const res = await fetch(`${server.url}/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ passport: readFileSync(passportFile, 'utf8'), ownerSecret: secret.toString(10) }),
    });
    const body = (await res.json()) as Record<string, unknown>;
    verifyMs = Math.round(performance.now() - t0);
    if (res.status === 422) throw new CanopyError('CLAIM_REJECTED', `the verifier refused container 1: check "${String(body.check)}" failed: ${String(body.message)}`);
    if (res.status !== 200) throw new CanopyError('INVALID_INPUT', `POST /verify answered ${res.status} ${String(body.code)}: ${String(body.message)}`);
    claim = body as unknown as VerifiedClaim;
  } finally {
    await server.close();
  }
  say(`   POST /verify → 200 in ${verifyMs} ms: every check passed (opening, checkpoint signature, cosignatures, inclusion, creating entry, proof, nullifier, policy)`);

  const country = s.importer.countryOfProduction;
  writeFileSync(files.claim, `${JSON.stringify(claim, null, 2)}\n`);
  writeFileSync(files.pact, `${JSON.stringify(claimToPactFootprint(claim, { country, companyName: s.importer.name }), null, 2)}\n`);
  writeFileSync(files.dds, `${JSON.stringify(claimToDdsFields(claim, { country }), null, 2)}\n`);
  say(`   exported ${files.claim.slice(dir.length + 1)}, ${files.pact.slice(dir.length + 1)} (PACT v3) and ${files.dds.slice(dir.length + 1)} (EUDR due-diligence fields) to ${dir}`);
  return { claim, verifierUrl: server.url, verifyMs, files };
}
