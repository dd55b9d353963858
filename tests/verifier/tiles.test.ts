// verifyLotPassport against a static C2SP tiles mirror (verifier/tiled-verifier-registry.ts):
// the verifier test world's log (tests/verifier/_world.ts) exported with registry/tiles
// exportTiles into a temporary folder, read as a directory and served by a plain static
// file server. The mirror must give the claim the live API gives, refuse a spent note, and
// refuse an altered entry bundle naming it; `canopy verify --tiles` does the same.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerifierServe, verifierServeOptionsFromFlags } from '../../prover/cli/commands/verifier.ts';
import { CanopyError } from '../../core/errors.ts';
import { passportToJson, type LotPassport } from '../../core/passport/lot-passport.ts';
import { exportTiles } from '../../registry/tiles/export-tiles.ts';
import { TiledLog } from '../../registry/tiles/tiled-log-client.ts';
import { ClaimRejectedError } from '../../verifier/claim-rejected.ts';
import { claimSchema } from '../../verifier/http/schemas.ts';
import type { ImporterPolicy } from '../../verifier/importer-policy.ts';
import { formatImporterPolicy } from '../../verifier/importer-policy.ts';
import { tiledVerifierRegistry, type TiledVerifierRegistryOptions } from '../../verifier/tiled-verifier-registry.ts';
import { type CheckReport, verifyLotPassport } from '../../verifier/verify-lot-passport.ts';
import { runCanopy } from '../_canopy.ts';
import { serveDirectory, type StaticServer } from '../tiles/_tiles.ts';
import { IMPORTER_SECRET, REGISTRY_VKEY, startWorld, VERIFIER_KEYS_DIR, type World } from './_world.ts';

/** The world's registry runs both trees at depth 8 (tests/registry-api/_registry.ts). */
const DEPTHS = { lots: 8, plots: 8 };
const NOW = () => new Date('2026-01-02T03:04:05Z');

let world: World;
let dir: string;
let mirror: StaticServer;
/** A cosigned policy whose keys come from the pinned keys folder, as a mirror needs. */
let policy: ImporterPolicy;

beforeAll(async () => {
  world = await startWorld();
  dir = mkdtempSync(join(tmpdir(), 'canopy-verifier-tiles-'));
  await exportTiles(world.reg.service.log.store, dir);
  mirror = await serveDirectory(dir);
  policy = world.policy({ cosigners: { k: 1, keys: [world.witnessKey] }, artifacts: { keysDir: VERIFIER_KEYS_DIR, vkeyHashes: { lot_mint: [world.lotMintHash] } } });
}, 180_000);

afterAll(async () => {
  await mirror?.close();
  await world?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function mirrorAt(location: string, options: Partial<TiledVerifierRegistryOptions> = {}) {
  return tiledVerifierRegistry(new TiledLog({ location, policy: { registryKey: REGISTRY_VKEY } }), { policy, depths: DEPTHS, ...options });
}

async function rejection(run: Promise<unknown>): Promise<ClaimRejectedError> {
  const outcome = await run.catch((e: unknown) => e);
  if (!(outcome instanceof ClaimRejectedError)) throw new Error(`want CLAIM_REJECTED, got ${outcome instanceof Error ? outcome.stack : JSON.stringify(outcome)}`);
  return outcome;
}

describe('tiledVerifierRegistry', () => {
  describe('when the mirror is an honest export of the log', () => {
    it('gives the claim the live API gives, read from a directory', async () => {
      const reports: CheckReport[] = [];
      const fromMirror = await verifyLotPassport(world.lots.a.passport, { registry: mirrorAt(dir), policy, now: NOW, onCheck: (r) => reports.push(r) });
      const fromApi = await verifyLotPassport(world.lots.a.passport, { registry: world.reg.url, policy, now: NOW });
      expect(reports.every((r) => r.passed)).toBe(true);
      expect(claimSchema.parse(fromMirror)).toEqual(fromMirror);
      expect(fromMirror).toEqual(fromApi);
      expect(fromMirror.checkpoint).toMatchObject({ size: world.spendSequence + 1, cosigners: ['audit-1'] });
      expect(fromMirror.datasets.map((d) => d.sequence)).toEqual([world.dataset.sequence]);
    });

    it('gives the same claim served by a plain static web server, reading only it', async () => {
      const before = mirror.requests.length;
      const claim = await verifyLotPassport(world.lots.b.passport, { registry: mirrorAt(mirror.url), policy, ownerSecret: IMPORTER_SECRET, now: NOW });
      expect(claim).toEqual(await verifyLotPassport(world.lots.b.passport, { registry: world.reg.url, policy, ownerSecret: IMPORTER_SECRET, now: NOW }));
      const paths = mirror.requests.slice(before);
      expect(paths).toContain('/checkpoint');
      expect(paths.some((p) => p.startsWith('/tile/entries/'))).toBe(true);
    });

    it('answers lookups as the registry does: first leaf, Poseidon paths at a past size, nullifiers', async () => {
      const registry = mirrorAt(dir);
      const c = world.lots.c;
      expect(await registry.treeLeaf('lots', c.commitment)).toEqual(await world.reg.client.treeLeaf('lots', c.commitment).then((r) => ({ tree: 'lots', value: c.commitment.toString(), leafIndex: r.leafIndex, sequence: r.sequence })));
      // The registry proves at its checkpoints' sizes (8, before the spend, and 9).
      for (const size of [world.spendSequence, world.spendSequence + 1]) {
        expect(await registry.treeProof('lots', c.passport.leafIndex, size)).toEqual(await world.reg.client.treeProof('lots', c.passport.leafIndex, size));
      }
      await expect(registry.treeProof('lots', c.passport.leafIndex, c.sequence)).rejects.toMatchObject({ status: 404 });
      await expect(registry.treeLeaf('lots', 12345n)).rejects.toMatchObject({ status: 404 });
      expect(await registry.nullifier(12345n)).toEqual({ nullifier: '12345', spent: false, sequence: null });
    });
  });

  describe('when the note was spent', () => {
    it('refuses it as spent, by the spending entry the mirror holds', async () => {
      const e = await rejection(verifyLotPassport(world.lots.c.passport, { registry: mirrorAt(dir), policy }));
      expect(e.check).toBe('nullifier');
      expect(e.message).toMatch(new RegExp(`the note was spent by entry ${world.spendSequence}`));
    });
  });

  describe('when an entry bundle on the mirror was altered', () => {
    it('refuses the passport naming the bundle', async () => {
      const bad = mkdtempSync(join(tmpdir(), 'canopy-verifier-tiles-bad-'));
      try {
        cpSync(dir, bad, { recursive: true });
        const bundle = `tile/entries/000.p/${world.spendSequence + 1}`;
        expect(existsSync(join(bad, bundle))).toBe(true);
        const data = readFileSync(join(bad, bundle));
        data[40]! ^= 0x01;
        writeFileSync(join(bad, bundle), data);
        const e = await rejection(verifyLotPassport(world.lots.a.passport, { registry: mirrorAt(bad), policy }));
        expect(e.check).toBe('opening');
        expect(e.message).toContain(`${bundle} from ${bad}`);
        expect(e.message).toMatch(/does not hash to its leaf/);
      } finally {
        rmSync(bad, { recursive: true, force: true });
      }
    });
  });

  describe('when no depth is given', () => {
    it("takes the pinned circuits' depths, and refuses a log whose lots root they do not give", async () => {
      // The test-profile lot_transition of the keys folder states depth 4; the registry runs 8.
      const e = await rejection(verifyLotPassport(world.lots.a.passport, { registry: mirrorAt(dir, { depths: undefined }), policy }));
      expect(e.check).toBe('opening');
      expect(e.message).toMatch(/the lots tree replayed .* \(depth 4, \d+ leaves\) has root \d+, the checkpoint's lots root is \d+/);
    });
  });

  describe('when the policy pins no keys folder', () => {
    it('cannot take keys from the mirror, and says to pin a keys folder', async () => {
      const hashesOnly = world.policy();
      const registry = tiledVerifierRegistry(new TiledLog({ location: dir, policy: { registryKey: REGISTRY_VKEY } }), { policy: hashesOnly, depths: DEPTHS });
      const outcome = await verifyLotPassport(world.lots.a.passport, { registry, policy: hashesOnly }).catch((e: unknown) => e);
      expect(outcome).toBeInstanceOf(CanopyError);
      expect((outcome as CanopyError).code).toBe('INVALID_INPUT');
      expect((outcome as Error).message).toMatch(/tiles mirror, which serves no verification keys: pin a keys folder/);
    });
  });

  describe('when the policy does not pin the origin asked for', () => {
    it('refuses to build the source', () => {
      expect(() => mirrorAt(dir, { origin: 'other.test/log' })).toThrow(/does not pin registry "other.test\/log"/);
    });
  });
});

describe('canopy verify --tiles', () => {
  it('verifies from the mirror with --depths, and refuses a spent note', async () => {
    const files = mkdtempSync(join(tmpdir(), 'canopy-verifier-tiles-cli-'));
    try {
      writeFileSync(join(files, 'policy.json'), formatImporterPolicy(policy));
      writeFileSync(join(files, 'a.passport.json'), passportToJson(world.lots.a.passport));
      writeFileSync(join(files, 'c.passport.json'), passportToJson(world.lots.c.passport));
      const ok = await runCanopy(['verify', join(files, 'a.passport.json'), '--policy', join(files, 'policy.json'), '--tiles', dir, '--depths', '8:8', '--json']);
      expect(ok.code, ok.err).toBe(0);
      expect(ok.err).toContain(`from the tiles mirror ${dir}`);
      const fromApi = await verifyLotPassport(world.lots.a.passport, { registry: world.reg.url, policy });
      expect({ ...JSON.parse(ok.out), verifiedAt: null }).toEqual({ ...fromApi, verifiedAt: null });
      const spent = await runCanopy(['verify', join(files, 'c.passport.json'), '--policy', join(files, 'policy.json'), '--tiles', mirror.url, '--depths', '8:8']);
      expect(spent.code).toBe(1);
      expect(spent.err).toMatch(/check "nullifier" failed: the note was spent by entry/);
      const both = await runCanopy(['verify', join(files, 'a.passport.json'), '--policy', join(files, 'policy.json'), '--tiles', dir, '--registry', world.reg.url]);
      expect(both.code).not.toBe(0);
      expect(both.err).toMatch(/give --tiles or --registry, not both/);
    } finally {
      rmSync(files, { recursive: true, force: true });
    }
  });
});

describe('canopy verifier serve --tiles', () => {
  it('answers POST /verify from the mirror alone: the claim the API gives, and a spent note refused', async () => {
    const files = mkdtempSync(join(tmpdir(), 'canopy-verifier-tiles-serve-'));
    writeFileSync(join(files, 'policy.json'), formatImporterPolicy(policy));
    let out = '';
    const io = { out: (t: string) => void (out += t), err: () => undefined, isTty: false };
    const stop = new AbortController();
    const options = verifierServeOptionsFromFlags({ port: 0, host: '127.0.0.1', policy: join(files, 'policy.json'), tiles: mirror.url, depths: DEPTHS, bodyLimit: 16384, logLevel: 'silent' });
    const serving = runVerifierServe(options, io, stop.signal);
    try {
      for (let waited = 0; !/listening on /.test(out); waited += 20) {
        if (waited > 30_000) throw new Error('the verifier did not start');
        await Promise.race([new Promise((r) => setTimeout(r, 20)), serving]);
      }
      const url = /listening on (\S+)/.exec(out)![1]!;
      const before = mirror.requests.length;
      const post = (passport: LotPassport) => fetch(`${url}/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ passport: passportToJson(passport) }) });
      const ok = await post(world.lots.a.passport);
      const fromApi = await verifyLotPassport(world.lots.a.passport, { registry: world.reg.url, policy });
      expect(ok.status).toBe(200);
      expect({ ...((await ok.json()) as Record<string, unknown>), verifiedAt: null }).toEqual({ ...JSON.parse(JSON.stringify(fromApi)), verifiedAt: null });
      expect(mirror.requests.length).toBeGreaterThan(before);
      const spent = await post(world.lots.c.passport);
      expect([spent.status, ((await spent.json()) as { check: string }).check]).toEqual([422, 'nullifier']);
      expect(out).toContain(`from the tiles mirror ${mirror.url}`);
    } finally {
      stop.abort();
      await serving;
      rmSync(files, { recursive: true, force: true });
    }
  });
});
