// `canopy audit` and `canopy audit consistency`, every flag, against an in-process
// registry with parties and a real lot mint (test-profile lot_mint).
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateNoteKey } from '../../core/note/note-key.ts';
import { parseAuditState } from '../../verifier/audit/audit-state.ts';
import { cosignerKeyOf } from '../../verifier/audit/cosign.ts';
import { runCanopy } from '../_canopy.ts';
import type { TestParty } from '../registry-api/_registry.ts';
import { AUDIT_KEYS, auditPins, DEMO_KEYS, ensureKeys, lotMintEntry, lotNote, owner, REGISTRY_KEY, removeRegistry, startRegistry, type TestRegistry } from './_world.ts';

let tmp: string;
let r: TestRegistry;
let auditor: TestParty;
let keyFile: string;
let vkeyFile: string;
let stateFile: string;

const pins = () => ['--keys', AUDIT_KEYS, '--keys', DEMO_KEYS];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'canopy-audit-cli-'));
  await ensureKeys();
  r = await startRegistry();
  const supplier = await r.register('coop-7', 'supplier');
  auditor = await r.register('auditor-1', 'auditor');
  await r.client.submit([await lotMintEntry(lotNote(owner('alice').key, 1_000n, 2_000n, 'cli'))], supplier);
  await r.checkpoint();
  keyFile = join(tmp, 'auditor-1.key');
  writeFileSync(keyFile, `${auditor.signerKey}\n`, { mode: 0o600 });
  vkeyFile = join(tmp, 'registry.vkey');
  writeFileSync(vkeyFile, `${REGISTRY_KEY.verifierKey}\n`);
  stateFile = join(tmp, 'audit-state.json');
}, 600_000);

afterAll(async () => {
  if (r) await removeRegistry(r);
  rmSync(tmp, { recursive: true, force: true });
});

describe('canopy audit', () => {
  describe('when the registry is consistent', () => {
    it('prints the report, progress on stderr, and writes the state (--registry, --registry-key FILE, --keys, --state, --json)', async () => {
      const run = await runCanopy(['audit', '--registry', r.url, '--registry-key', vkeyFile, ...pins(), '--state', stateFile, '--json']);
      expect(run.code).toBe(0);
      const report = JSON.parse(run.out);
      expect(report).toMatchObject({ ok: true, failure: null, stateFile, replayed: { from: 0, to: 4, entries: 4, proofs: 1 } });
      expect(report.state).toBeUndefined();
      expect(run.err).toMatch(/^replayed 4\/4 entries, 1 proofs verified\n$/);
      expect(statSync(stateFile).mode & 0o777).toBe(0o600);
      expect(parseAuditState(readFileSync(stateFile, 'utf8')).replay.range.size).toBe(4);
    });

    it('continues from the state, replaying only what is new (human output)', async () => {
      await r.register('coop-8', 'supplier');
      await r.checkpoint();
      const run = await runCanopy(['audit', '--registry', r.url, '--registry-key', REGISTRY_KEY.verifierKey, ...pins(), '--state', stateFile]);
      expect(run.code).toBe(0);
      expect(run.out).toMatch(/^audit of registry\.test\/canopy at checkpoint 5 \(root .+\): ok\n  continued from checkpoint 4 \(consistent\)\n  replayed entries \[4, 5\): 1 entries, 0 proofs, 1 checkpoints/);
      expect(run.out).toContain(`state written to ${stateFile}`);
      expect(parseAuditState(readFileSync(stateFile, 'utf8')).replay.range.size).toBe(5);
    });

    it('pins keys by hash and takes the depths (--vkey-hash, --depths)', async () => {
      const hash = auditPins().find((p) => p.circuit === 'lot_mint' && p.source.endsWith('audit'))!.vkeyHash;
      const run = await runCanopy(['audit', '--registry', r.url, '--registry-key', REGISTRY_KEY.verifierKey, '--vkey-hash', `lot_mint=${hash}`, '--depths', '4:4', '--json']);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.out).keys.used).toEqual([{ circuit: 'lot_mint', vkeyHash: hash, from: 'registry /v1/artifacts' }]);
      const wrong = await runCanopy(['audit', '--registry', r.url, '--registry-key', REGISTRY_KEY.verifierKey, ...pins(), '--depths', '5:5', '--json']);
      expect(wrong.code).toBe(1);
      expect(JSON.parse(wrong.out).failure).toMatchObject({ check: 'lots-root' });
    });

    it('cosigns the verified checkpoint (--cosign, --key, --party)', async () => {
      const run = await runCanopy(['audit', '--registry', r.url, '--registry-key', REGISTRY_KEY.verifierKey, ...pins(), '--cosign', '--key', keyFile]);
      expect(run.code).toBe(0);
      expect(run.out).toContain(`cosigned the checkpoint (cosigner key ${cosignerKeyOf('auditor-1', auditor.publicKey)}`);
      const named = await runCanopy(['audit', '--registry', r.url, '--registry-key', REGISTRY_KEY.verifierKey, ...pins(), '--cosign', '--key', keyFile, '--party', 'auditor-1', '--json']);
      expect(JSON.parse(named.out).cosignature.signedBy).toEqual(['registry.test/canopy', 'auditor-1']);
      const other = await runCanopy(['audit', '--registry', r.url, '--registry-key', REGISTRY_KEY.verifierKey, ...pins(), '--cosign', '--key', keyFile, '--party', 'coop-7']);
      expect(other.code).toBe(1);
    });
  });

  describe('when the audit fails', () => {
    it('exits 1, prints the first inconsistency and keeps the old state', async () => {
      const before = readFileSync(stateFile, 'utf8');
      const other = generateNoteKey('registry.test/canopy').verifierKey;
      const run = await runCanopy(['audit', '--registry', r.url, '--registry-key', other, ...pins(), '--state', stateFile]);
      expect(run.code).toBe(1);
      expect(run.out).toContain('FIRST INCONSISTENCY: checkpoint-signature');
      expect(run.err).toMatch(/^canopy: AUDIT_FAILED: checkpoint-signature/);
      expect(readFileSync(stateFile, 'utf8')).toBe(before);
    });
  });

  describe('when flags are missing or wrong', () => {
    it('exits 2 for usage, 1 for bad input', async () => {
      expect((await runCanopy(['audit', '--registry-key', REGISTRY_KEY.verifierKey, ...pins()])).code).toBe(2);
      expect((await runCanopy(['audit', '--registry', r.url, ...pins()])).code).toBe(2);
      expect((await runCanopy(['audit', '--registry', r.url, '--registry-key', REGISTRY_KEY.verifierKey, ...pins(), '--depths', '4'])).code).toBe(2);
      const noPins = await runCanopy(['audit', '--registry', r.url, '--registry-key', REGISTRY_KEY.verifierKey]);
      expect([noPins.code, noPins.err]).toEqual([1, expect.stringMatching(/pin the verification keys/)]);
      const noKey = await runCanopy(['audit', '--registry', r.url, '--registry-key', REGISTRY_KEY.verifierKey, ...pins(), '--cosign']);
      expect([noKey.code, noKey.err]).toEqual([1, expect.stringMatching(/--cosign needs the auditor party key/)]);
      const stray = await runCanopy(['audit', '--registry', r.url, '--registry-key', REGISTRY_KEY.verifierKey, ...pins(), '--party', 'auditor-1']);
      expect([stray.code, stray.err]).toEqual([1, expect.stringMatching(/--key and --party are for --cosign/)]);
      expect((await runCanopy(['audit', '--registry', r.url, '--registry-key', REGISTRY_KEY.verifierKey, '--vkey-hash', 'lot_mint=xyz'])).code).toBe(1);
    });
  });
});

describe('canopy audit --tiles', () => {
  let mirror: string;
  let size: number;

  beforeAll(async () => {
    size = await r.checkpoint();
    mirror = join(tmp, 'mirror');
    const exported = await runCanopy(['registry', 'export-tiles', mirror, '--data', dirname(r.dbPath), '--no-fsync']);
    expect(exported.code).toBe(0);
  });

  describe('when the mirror was exported with `canopy registry export-tiles` and is read from its directory', () => {
    it('passes with the totals of an audit of the registry, reading nothing from the registry', async () => {
      const fromTiles = await runCanopy(['audit', '--tiles', mirror, '--registry-key', vkeyFile, ...pins(), '--json']);
      expect([fromTiles.code, fromTiles.err.split('\n').filter((l) => !l.startsWith('replayed')).join('')]).toEqual([0, '']);
      const report = JSON.parse(fromTiles.out);
      expect(report).toMatchObject({ ok: true, failure: null, replayed: { from: 0, to: size, entries: size, proofs: 1 } });
      expect(report.keys.used.map((k: { from: string }) => k.from)).toEqual(expect.arrayContaining([expect.stringMatching(/^setup folder/)]));
      const fromRegistry = JSON.parse((await runCanopy(['audit', '--registry', r.url, '--registry-key', vkeyFile, ...pins(), '--json'])).out);
      expect(report.totals).toEqual(fromRegistry.totals);
      expect(report.checkpoint).toEqual(fromRegistry.checkpoint);
      // With --registry too, the log still comes from the tiles: a registry nobody answers changes nothing.
      const unreachable = await runCanopy(['audit', '--tiles', mirror, '--registry', 'http://127.0.0.1:9', '--registry-key', vkeyFile, ...pins(), '--json']);
      expect([unreachable.code, JSON.parse(unreachable.out).totals]).toEqual([0, fromRegistry.totals]);
    });

    it('checks consistency from the mirror’s history (audit consistency --tiles)', async () => {
      const run = await runCanopy(['audit', 'consistency', '--tiles', mirror, '--registry-key', vkeyFile, '--from', '4', '--to', String(size), '--json']);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.out)).toMatchObject({ ok: true, from: { size: 4 }, to: { size } });
    });
  });

  describe('when a tile of the mirror was altered', () => {
    it('fails naming the tile, exit 1', async () => {
      const bad = join(tmp, 'mirror-altered');
      cpSync(mirror, bad, { recursive: true });
      const tile = join('tile', '0', '000.p', String(size));
      const data = readFileSync(join(bad, tile));
      data[7]! ^= 0x20;
      writeFileSync(join(bad, tile), data);
      const run = await runCanopy(['audit', '--tiles', bad, '--registry-key', vkeyFile, ...pins()]);
      expect(run.code).toBe(1);
      expect(run.err).toMatch(new RegExp(`PROOF_INVALID: .*tile/0/000\\.p/${size} from ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    });
  });

  describe('when the flags do not fit a mirror', () => {
    it('refuses keys pinned by hash only, --cosign without --registry, and --tiles for a disclosure', async () => {
      const hash = auditPins().find((p) => p.circuit === 'lot_mint' && p.source.endsWith('audit'))!.vkeyHash;
      const hashOnly = await runCanopy(['audit', '--tiles', mirror, '--registry-key', vkeyFile, '--vkey-hash', `lot_mint=${hash}`, '--depths', '4:4']);
      expect([hashOnly.code, hashOnly.err]).toEqual([1, expect.stringMatching(/serves no verification keys .*lot_mint .* pinned by hash only; pin a setup folder with its key files \(--keys DIR\)/)]);
      const cosign = await runCanopy(['audit', '--tiles', mirror, '--registry-key', vkeyFile, ...pins(), '--cosign', '--key', keyFile]);
      expect([cosign.code, cosign.err]).toEqual([1, expect.stringMatching(/--cosign posts the cosignature to the registry: give --registry URL/)]);
      const disclosure = await runCanopy(['audit', 'disclosure', join(tmp, 'none.json'), '--tiles', mirror, '--registry-key', vkeyFile, ...pins()]);
      expect([disclosure.code, disclosure.err]).toEqual([2, expect.stringMatching(/option '--tiles' is not for `audit disclosure`/)]);
      expect((await runCanopy(['audit', '--registry-key', vkeyFile, ...pins()])).err).toMatch(/required option '--registry <url>' \(or '--tiles <url-or-dir>'\) not specified/);
    });
  });
});

describe('canopy audit consistency', () => {
  describe('when both checkpoints are published', () => {
    it('prints that one is a prefix of the other (--from, --to, --json)', async () => {
      const run = await runCanopy(['audit', 'consistency', '--registry', r.url, '--registry-key', vkeyFile, '--from', '1', '--to', '5']);
      expect(run.code).toBe(0);
      expect(run.out).toMatch(/^consistent: checkpoint 1 \(root .+\) is a prefix of checkpoint 5 \(root .+\); proof of \d+ hashes\n$/);
      const json = await runCanopy(['audit', '--registry', r.url, '--registry-key', vkeyFile, 'consistency', '--from', '4', '--to', '5', '--json']);
      expect(JSON.parse(json.out)).toMatchObject({ ok: true, from: { size: 4 }, to: { size: 5 } });
    });
  });

  describe('when the sizes are wrong', () => {
    it('exits 1 for a size without checkpoint or from > to, 2 for a malformed size', async () => {
      const none = await runCanopy(['audit', 'consistency', '--registry', r.url, '--registry-key', vkeyFile, '--from', '2', '--to', '5']);
      expect([none.code, none.err]).toEqual([1, expect.stringMatching(/NOT_FOUND: the registry has published no checkpoint of size 2/)]);
      expect((await runCanopy(['audit', 'consistency', '--registry', r.url, '--registry-key', vkeyFile, '--from', '5', '--to', '4'])).code).toBe(1);
      expect((await runCanopy(['audit', 'consistency', '--registry', r.url, '--registry-key', vkeyFile, '--from', '01', '--to', '4'])).code).toBe(2);
      expect((await runCanopy(['audit', 'consistency', '--registry', r.url, '--registry-key', vkeyFile, '--from', '1'])).code).toBe(2);
      const stray = await runCanopy(['audit', 'consistency', '--registry', r.url, '--registry-key', vkeyFile, '--from', '1', '--to', '5', ...pins()]);
      expect([stray.code, stray.err]).toEqual([2, expect.stringMatching(/option '--keys' is not for `audit consistency`/)]);
    });
  });
});
