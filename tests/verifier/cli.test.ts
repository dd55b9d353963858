// `canopy verify` and `canopy verifier serve`, run in-process through prover/cli/main.ts
// (tests/_canopy.ts) against the real registry world: every flag, the report, the exit
// codes, the exports, and a first policy written by trust on first use.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lotEmissionsFromFootprint } from '../../core/pact/lot-emissions.ts';
import { passportToJson } from '../../core/passport/lot-passport.ts';
import { encryptPassport, generateRecipientKey } from '../../core/passport/passport-encryption.ts';
import { runVerifierServe, verifierServeOptionsFromFlags, type VerifierServeFlags } from '../../prover/cli/commands/verifier.ts';
import type { CliIo } from '../../prover/cli/io.ts';
import { buildProgram } from '../../prover/cli/main.ts';
import { CLAIM_CHECKS } from '../../verifier/claim-rejected.ts';
import { claimSchema } from '../../verifier/http/schemas.ts';
import { formatImporterPolicy, readImporterPolicy } from '../../verifier/importer-policy.ts';
import { runCanopy } from '../_canopy.ts';
import { IMPORTER_SECRET, REGISTRY_VKEY, startWorld, type World } from './_world.ts';

let world: World;
let dir: string;
const f = (name: string) => join(dir, name);
const canopy = (...args: string[]) => runCanopy(args);

beforeAll(async () => {
  world = await startWorld();
  dir = mkdtempSync(join(tmpdir(), 'canopy-verify-cli-'));
  writeFileSync(f('a.passport.json'), passportToJson(world.lots.a.passport));
  writeFileSync(f('b.passport.json'), passportToJson(world.lots.b.passport));
  writeFileSync(f('c.passport.json'), passportToJson(world.lots.c.passport));
  const { secretKey, publicKey } = generateRecipientKey();
  writeFileSync(f('recipient.key'), `${Buffer.from(secretKey).toString('base64')}\n`, { mode: 0o600 });
  writeFileSync(f('a.passport'), encryptPassport(world.lots.a.passport, publicKey));
  writeFileSync(f('owner-secret'), `${IMPORTER_SECRET}\n`, { mode: 0o600 });
  writeFileSync(f('registry.vkey'), `${REGISTRY_VKEY}\n`);
  writeFileSync(f('policy.json'), formatImporterPolicy(world.policy()));
  // The same policy with no URL for the registry: --registry must give it.
  writeFileSync(f('no-url.json'), formatImporterPolicy(world.policy({ registries: [{ ...world.policy().registries[0]!, url: null }] })));
});
afterAll(async () => {
  await world?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('canopy verify', () => {
  describe('when the passport passes', () => {
    it('prints a ✓ per check and the claim, exit 0', async () => {
      const r = await canopy('verify', f('a.passport.json'), '--policy', f('policy.json'));
      expect(r.code, r.err).toBe(0);
      for (const c of CLAIM_CHECKS) expect(r.out).toMatch(new RegExp(`  ✓ ${c}\\s+\\S`));
      expect(r.out).toMatch(/Verified claim\n {2}commodity +green coffee \(not roasted, not decaffeinated\), HS 0901\.11 \(code 90111\)\n {2}quantity +18000 kg\n {2}emissions +81000 kg CO2e/);
      expect(r.out).toMatch(/intensity +4\.5 kg CO2e\/kg, 4500 g\/kg rounded up/);
      expect(r.out).toMatch(/datasets +hansen-gfc-test \(root/);
    });
    it('with --json prints only the claim on stdout, the report on stderr', async () => {
      const r = await canopy('verify', f('a.passport.json'), '--policy', f('policy.json'), '--json');
      expect(r.code).toBe(0);
      expect(claimSchema.parse(JSON.parse(r.out)).registry.sequence).toBe(world.lots.a.sequence);
      expect(r.err).toMatch(/✓ proof/);
    });
    it('with --key opens an encrypted passport', async () => {
      const r = await canopy('verify', f('a.passport'), '--key', f('recipient.key'), '--policy', f('policy.json'));
      expect([r.code, r.out]).toEqual([0, expect.stringMatching(/^Verifying encrypted bearer passport /)]);
    });
    it('with --owner-secret checks a note made for the importer’s key', async () => {
      const r = await canopy('verify', f('b.passport.json'), '--owner-secret', f('owner-secret'), '--policy', f('policy.json'));
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/3\.333333333333333334 kg CO2e\/kg \(rounded up\)/);
    });
    it('with --registry reaches a registry the policy gives no URL for', async () => {
      const r = await canopy('verify', f('a.passport.json'), '--policy', f('no-url.json'), '--registry', world.reg.url);
      expect(r.code, r.err).toBe(0);
      const none = await canopy('verify', f('a.passport.json'), '--policy', f('no-url.json'));
      expect([none.code, none.err]).toEqual([1, expect.stringMatching(/no URL for registry "registry\.test\/canopy": give --registry URL/)]);
    });
    it('with --pact, --dds and --country writes the exports', async () => {
      const r = await canopy('verify', f('a.passport.json'), '--policy', f('policy.json'), '--pact', f('a.pact.json'), '--dds', f('a.dds.json'), '--country', 'CO');
      expect(r.code, r.err).toBe(0);
      const pact = JSON.parse(readFileSync(f('a.pact.json'), 'utf8'));
      expect(pact.pcf).toMatchObject({ pcfExcludingBiogenicUptake: '4.5', geographyCountry: 'CO' });
      expect(lotEmissionsFromFootprint(pact, 18_000_000n).emissionsGramsCo2e).toBe(81_000_000n);
      expect(JSON.parse(readFileSync(f('a.dds.json'), 'utf8'))).toMatchObject({ hsCode: '090111', netMassKg: '18000', countryOfProduction: 'CO', cutoffDate: '2020-12-31', registryReference: { sequence: world.lots.a.sequence } });
    });
  });

  describe('when a check fails', () => {
    it('prints ✗ for it and · for the rest, and exits 1 naming it', async () => {
      const r = await canopy('verify', f('c.passport.json'), '--policy', f('policy.json'));
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/ {2}✓ proof .*\n {2}✗ nullifier +the note was spent by entry \d+/);
      expect(r.out).toMatch(/ {2}· policy +not run\n/);
      expect(r.err).toMatch(/^canopy: CLAIM_REJECTED: check "nullifier" failed: the note was spent/);
    });
    it('with --json prints the rejection as JSON', async () => {
      const r = await canopy('verify', f('c.passport.json'), '--policy', f('policy.json'), '--json');
      expect(r.code).toBe(1);
      expect(JSON.parse(r.out)).toMatchObject({ code: 'CLAIM_REJECTED', check: 'nullifier' });
    });
    it('exits 1 at check nullifier without --owner-secret for a note made for the importer’s key', async () => {
      const r = await canopy('verify', f('b.passport.json'), '--policy', f('policy.json'));
      expect([r.code, r.err]).toEqual([1, expect.stringMatching(/check "nullifier" failed: .*--owner-secret FILE/)]);
    });
    it('exits 1 at check policy under a policy requiring deforestation-free lots', async () => {
      writeFileSync(f('strict.json'), formatImporterPolicy(world.policy({ requireDeforestationFree: true })));
      const r = await canopy('verify', f('a.passport.json'), '--policy', f('strict.json'));
      expect([r.code, r.err]).toEqual([1, expect.stringMatching(/check "policy" failed: the lot is not deforestation-free/)]);
    });
  });

  describe('when the input is wrong', () => {
    it('exits 1 for an encrypted passport without --key, naming the flag', async () => {
      const r = await canopy('verify', f('a.passport'), '--policy', f('policy.json'));
      expect([r.code, r.err]).toEqual([1, expect.stringMatching(/--key FILE/)]);
    });
    it('exits 1 for a missing policy, saying how to write one', async () => {
      const r = await canopy('verify', f('a.passport.json'), '--policy', f('none.json'));
      expect([r.code, r.err]).toEqual([1, expect.stringMatching(/no policy file .*--init-policy/)]);
    });
    it('exits 1 without a passport, and for flags of the other mode', async () => {
      expect((await canopy('verify', '--policy', f('policy.json'))).err).toMatch(/give the PASSPORT file/);
      expect((await canopy('verify', f('a.passport.json'), '--registry-key', f('registry.vkey'))).err).toMatch(/--registry-key is for --init-policy/);
      expect((await canopy('verify', f('a.passport.json'), '--country', 'CO', '--policy', f('policy.json'))).err).toMatch(/--country goes into the --pact and --dds exports/);
    });
    it('exits 2 for a malformed --country or --registry', async () => {
      expect((await canopy('verify', f('a.passport.json'), '--pact', f('x.json'), '--country', 'Colombia')).code).toBe(2);
      expect((await canopy('verify', f('a.passport.json'), '--registry', 'ftp://x')).code).toBe(2);
    });
    it('exits 1 naming the registry when it does not answer', async () => {
      const r = await canopy('verify', f('a.passport.json'), '--policy', f('policy.json'), '--registry', 'http://127.0.0.1:9');
      expect([r.code, r.err]).toEqual([1, expect.stringMatching(/the registry at http:\/\/127\.0\.0\.1:9 did not answer/)]);
    });
  });
});

describe('canopy verify --init-policy', () => {
  describe('when given the registry and its key', () => {
    it('writes a policy pinning them, warns loudly, and the policy verifies up to its own requirements', async () => {
      const r = await canopy('verify', '--init-policy', '--registry', world.reg.url, '--registry-key', f('registry.vkey'), '--policy', f('tofu/policy.json'));
      expect(r.code, r.err).toBe(0);
      expect(r.err).toMatch(/WARNING: TRUST ON FIRST USE: the policy pins the verification keys/);
      expect(r.err).toMatch(/NOT FOR PRODUCTION/);
      const policy = await readImporterPolicy(f('tofu/policy.json'));
      expect(policy).toMatchObject({ registries: [{ origin: 'registry.test/canopy', key: REGISTRY_VKEY, url: world.reg.url }], requireDeforestationFree: true, cutoffDate: '2020-12-31', datasets: 'any' });
      expect(policy.artifacts.vkeyHashes.lot_mint).toEqual([world.lotMintHash]);
      // The world's stand-in lot_transition key does not hash to its name: left out, with a warning.
      expect(r.err).toMatch(/WARNING: The registry serves a lot_transition key as (ab){32} that hashes to [0-9a-f]{64}: it is not pinned/);
      expect(r.err).toMatch(/WARNING: No capacity_mint key is pinned/);
      expect(policy.artifacts.vkeyHashes.lot_transition).toBeUndefined();
      const v = await canopy('verify', f('a.passport.json'), '--policy', f('tofu/policy.json'));
      expect([v.code, v.err]).toEqual([1, expect.stringMatching(/check "policy" failed: the lot is not deforestation-free/)]);
    });
  });
  describe('when the file exists or a flag is missing', () => {
    it('refuses', async () => {
      writeFileSync(f('exists.json'), '{}');
      expect((await canopy('verify', '--init-policy', '--registry', world.reg.url, '--registry-key', REGISTRY_VKEY, '--policy', f('exists.json'))).err).toMatch(/exists; a policy is never overwritten/);
      expect(readFileSync(f('exists.json'), 'utf8')).toBe('{}');
      expect((await canopy('verify', '--init-policy', '--registry', world.reg.url, '--policy', f('p2.json'))).err).toMatch(/needs --registry-key/);
      expect((await canopy('verify', '--init-policy', '--registry-key', REGISTRY_VKEY, '--policy', f('p2.json'))).err).toMatch(/needs --registry URL/);
      expect((await canopy('verify', '--init-policy', '--registry', world.reg.url, '--registry-key', REGISTRY_VKEY, '--json')).err).toMatch(/not --json/);
      expect(existsSync(f('p2.json'))).toBe(false);
    });
    it('refuses a key the registry’s checkpoint does not verify under', async () => {
      const r = await canopy('verify', '--init-policy', '--registry', world.reg.url, '--registry-key', REGISTRY_VKEY.replace(/\+[0-9a-f]{8}\+/, '+00000000+'), '--policy', f('p3.json'));
      expect(r.code).toBe(1);
      expect(existsSync(f('p3.json'))).toBe(false);
    });
  });
});

/** The flags commander hands the serve action for `args`. */
async function serveFlags(...args: string[]): Promise<VerifierServeFlags> {
  const program = buildProgram({ out: () => undefined, err: () => undefined, isTty: false });
  const serve = (program.commands.find((c) => c.name() === 'verifier') as Command).commands.find((c) => c.name() === 'serve') as Command;
  let captured: VerifierServeFlags | undefined;
  serve.action((flags: VerifierServeFlags) => {
    captured = flags;
  });
  await program.parseAsync(['node', 'canopy', 'verifier', 'serve', ...args]);
  return captured!;
}

describe('canopy verifier serve', () => {
  describe('flags', () => {
    it('maps every flag, with defaults', async () => {
      expect(verifierServeOptionsFromFlags(await serveFlags('--policy', 'p.json'))).toEqual({ port: 8090, host: '127.0.0.1', policyFile: 'p.json', registryUrl: null, tilesLocation: null, depths: null, bodyLimitBytes: 16384, logLevel: 'info' });
      expect(verifierServeOptionsFromFlags(await serveFlags('--policy', 'p.json', '--port', '0', '--host', '0.0.0.0', '--registry', 'http://r:1', '--body-limit', '4096', '--log-level', 'silent'))).toEqual({
        port: 0,
        host: '0.0.0.0',
        policyFile: 'p.json',
        registryUrl: 'http://r:1',
        tilesLocation: null,
        depths: null,
        bodyLimitBytes: 4096,
        logLevel: 'silent',
      });
      expect(verifierServeOptionsFromFlags(await serveFlags('--policy', 'p.json', '--tiles', 'mirror', '--depths', '8:8'))).toMatchObject({ registryUrl: null, tilesLocation: 'mirror', depths: { lots: 8, plots: 8 } });
    });
    it('refuses --tiles with --registry, and --depths without --tiles, naming the rule', async () => {
      expect(() => verifierServeOptionsFromFlags({ port: 0, host: 'h', policy: 'p', tiles: 'm', registry: 'http://r:1', bodyLimit: 4096, logLevel: 'silent' })).toThrow(/give --tiles or --registry, not both/);
      expect(() => verifierServeOptionsFromFlags({ port: 0, host: 'h', policy: 'p', depths: { lots: 8, plots: 8 }, bodyLimit: 4096, logLevel: 'silent' })).toThrow(/--depths is for --tiles/);
    });
    it('exits 2 without --policy or with a malformed value', async () => {
      for (const args of [[], ['--policy', 'p', '--port', '70000'], ['--policy', 'p', '--log-level', 'loud'], ['--policy', 'p', '--body-limit', '10'], ['--policy', 'p', '--registry', 'x']]) {
        expect((await canopy('verifier', 'serve', ...args)).code, args.join(' ')).toBe(2);
      }
    });
  });
  describe('when running', () => {
    it('serves POST /verify until stopped', async () => {
      let out = '';
      const io: CliIo = { out: (t) => void (out += t), err: () => undefined, isTty: false };
      const stop = new AbortController();
      const serving = runVerifierServe(verifierServeOptionsFromFlags(await serveFlags('--policy', f('policy.json'), '--port', '0', '--log-level', 'silent')), io, stop.signal);
      try {
        for (let waited = 0; !/listening on /.test(out); waited += 20) {
          if (waited > 30_000) throw new Error('the verifier did not start');
          await Promise.race([new Promise((r) => setTimeout(r, 20)), serving]);
        }
        const url = /listening on (\S+)/.exec(out)![1]!;
        const res = await fetch(`${url}/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ passport: passportToJson(world.lots.c.passport) }) });
        expect([res.status, ((await res.json()) as { check: string }).check]).toEqual([422, 'nullifier']);
      } finally {
        stop.abort();
        await serving;
      }
      expect(out).toMatch(/policy .*policy\.json: registries registry\.test\/canopy\n/);
    });
  });
});
