// `canopy registry export-tiles` and `canopy registry follow`, run in-process through the
// CLI's `main` against a registry started in-process: every flag, and the outcomes a user
// sees (files written, JSON lines printed, exit codes).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import { generateNoteKey } from '../../core/note/note-key.ts';
import { exportTilesOptionsFromFlags, followOptionsFromFlags, runExportTiles } from '../../prover/cli/commands/registry-tiles.ts';
import type { CliIo } from '../../prover/cli/io.ts';
import { main } from '../../prover/cli/main.ts';
import { readFollowState } from '../../registry/follow/follow-state.ts';
import { datasetEntry, fe, REGISTRY_KEY, sqliteFixture } from '../registry/_fixtures.ts';
import { startTestRegistry, type TestRegistry } from '../registry-api/_registry.ts';

function capture(): CliIo & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), isTty: false, stdout: () => out, stderr: () => err };
}

async function canopy(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = capture();
  const code = await main(['node', 'canopy', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

const lines = (out: string) => out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { sequence: number; leafHash: string; entry: { type: string } });

let reg: TestRegistry;
let work: string;
let dataDir: string;
let vkeyFile: string;

async function grow(to: number): Promise<void> {
  const have = (await reg.service.log.store.head()).size;
  await reg.service.log.append(Array.from({ length: to - have }, (_, i) => datasetEntry(fe(`cli ${have + i}`), `cli ${have + i}`)));
  await reg.service.signCheckpoint();
}

beforeAll(async () => {
  reg = await startTestRegistry(sqliteFixture());
  await grow(30);
  work = mkdtempSync(join(tmpdir(), 'canopy-tiles-cli-'));
  vkeyFile = join(work, 'registry.vkey');
  writeFileSync(vkeyFile, `${REGISTRY_KEY.verifierKey}\n`);
  if (reg.fixture.location.kind !== 'sqlite') throw new Error('the CLI tests run on SQLite');
  dataDir = dirname(reg.fixture.location.path);
});
afterAll(async () => {
  await reg.close();
  rmSync(work, { recursive: true, force: true });
});

describe('canopy registry export-tiles', () => {
  describe('when given --data and --json', () => {
    it('writes the tiles of the latest checkpoint and prints what it wrote', async () => {
      const dir = join(work, 'tiles-json');
      const r = await canopy('registry', 'export-tiles', dir, '--data', dataDir, '--json');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({ dir, fromSize: 0, size: 30, written: 2, checkpointUpdated: true });
      expect(readFileSync(join(dir, 'checkpoint'), 'utf8')).toBe(await reg.client.checkpointNote());
      expect(existsSync(join(dir, 'tile/0/000.p/30'))).toBe(true);
      expect(existsSync(join(dir, 'tile/entries/000.p/30'))).toBe(true);
    });
  });

  describe('when run again after the log grew, without --json', () => {
    it('adds what is new and reports on stderr', async () => {
      const dir = join(work, 'tiles-plain');
      expect((await canopy('registry', 'export-tiles', dir, '--data', dataDir, '--no-fsync')).code).toBe(0);
      await grow(40);
      const r = await canopy('registry', 'export-tiles', dir, '--data', dataDir);
      expect(r.code).toBe(0);
      expect(r.out).toBe('');
      expect(r.err).toContain('checkpoint of size 40: wrote 2 tiles and bundles');
      expect(existsSync(join(dir, 'tile/0/000.p/30'))).toBe(true);
      expect(existsSync(join(dir, 'tile/0/000.p/40'))).toBe(true);
    });
  });

  describe('when given --watch and --interval', () => {
    it('writes each new checkpoint until stopped', async () => {
      const dir = join(work, 'tiles-watch');
      const options = exportTilesOptionsFromFlags(dir, { data: dataDir, watch: true, interval: 20, fsync: false, json: true });
      expect(options).toMatchObject({ watch: true, intervalMs: 20, durable: false, json: true, store: { kind: 'sqlite' } });
      const io = capture();
      const controller = new AbortController();
      const running = runExportTiles(options, io, controller.signal);
      const waitFor = async (size: number) => {
        for (let i = 0; i < 500 && !io.stdout().includes(`"size": ${size}`); i++) await new Promise((r) => setTimeout(r, 10));
      };
      const before = (await reg.service.log.store.head()).size;
      await waitFor(before);
      await grow(before + 5);
      await waitFor(before + 5);
      controller.abort();
      await running;
      expect(io.stdout()).toContain(`"size": ${before + 5}`);
      expect(readFileSync(join(dir, 'checkpoint'), 'utf8')).toBe(await reg.client.checkpointNote());
    });
  });

  describe('when the store flags are wrong', () => {
    it('maps --database, and refuses both, neither, or a folder without a registry', async () => {
      expect(exportTilesOptionsFromFlags('d', { database: 'postgres://u@h/db', interval: 1000, fsync: true })).toMatchObject({ store: { kind: 'postgres', url: 'postgres://u@h/db' }, watch: false, durable: true, json: false });
      expect(() => exportTilesOptionsFromFlags('d', { interval: 1000, fsync: true })).toThrow(CanopyError);
      expect(() => exportTilesOptionsFromFlags('d', { data: dataDir, database: 'postgres://x', interval: 1000, fsync: true })).toThrow(/exactly one/);
      expect(() => exportTilesOptionsFromFlags('d', { database: 'mysql://x', interval: 1000, fsync: true })).toThrow(/postgres/);
      const r = await canopy('registry', 'export-tiles', join(work, 'x'), '--data', work);
      expect([r.code, r.err]).toEqual([1, expect.stringContaining('NOT_FOUND')]);
      expect((await canopy('registry', 'export-tiles', join(work, 'x'), '--data', dataDir, '--interval', '0')).code).toBe(2);
    });
  });
});

describe('canopy registry follow', () => {
  describe('when run with --limit and --state, then resumed', () => {
    it('prints each entry once, as JSON lines, across the runs', async () => {
      const state = join(work, 'follow-state.json');
      const first = await canopy('registry', 'follow', '--registry', reg.url, '--registry-key', vkeyFile, '--limit', '7', '--state', state);
      expect(first.code).toBe(0);
      expect(lines(first.out).map((l) => l.sequence)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(lines(first.out)[3]).toEqual(await reg.client.entry(3));
      expect(first.err).toContain('followed 7 entries');
      expect(await readFollowState(state)).toMatchObject({ after: 6, origin: 'registry.test/canopy' });
      const size = (await reg.client.verifiedCheckpoint(REGISTRY_KEY.verifierKey)).checkpoint.size;
      const second = await canopy('registry', 'follow', '--registry', reg.url, '--registry-key', REGISTRY_KEY.verifierKey, '--state', state, '--until-caught-up');
      expect(second.code).toBe(0);
      expect(lines(second.out).map((l) => l.sequence)).toEqual(Array.from({ length: size - 7 }, (_, i) => 7 + i));
      expect((await readFollowState(state))!.after).toBe(size - 1);
      // --after with a state that already has a position is refused.
      const third = await canopy('registry', 'follow', '--registry', reg.url, '--registry-key', vkeyFile, '--state', state, '--after', '3');
      expect([third.code, third.err]).toEqual([1, expect.stringContaining('INVALID_INPUT')]);
    });
  });

  describe('when the state file holds a damaged checkpoint', () => {
    it('fails with the note error, printing nothing', async () => {
      const state = join(work, 'damaged-state.json');
      writeFileSync(state, JSON.stringify({ format: 'canopy-follow-state/1', origin: 'registry.test/canopy', after: 3, checkpoint: 'registry.test/canopy\n4\n' }));
      const r = await canopy('registry', 'follow', '--registry', reg.url, '--registry-key', vkeyFile, '--state', state, '--until-caught-up');
      expect([r.code, r.out]).toEqual([1, '']);
      expect(r.err).toContain('NOTE_MALFORMED');
    });
  });

  describe('when given --after, --verify proofs and --poll', () => {
    it('starts after that sequence and checks each entry with inclusion proofs', async () => {
      const r = await canopy('registry', 'follow', '--registry', reg.url, '--registry-key', vkeyFile, '--after', '10', '--limit', '3', '--verify', 'proofs', '--poll');
      expect(r.code).toBe(0);
      expect(lines(r.out).map((l) => l.sequence)).toEqual([11, 12, 13]);
    });
  });

  describe('when given --tiles', () => {
    it('checks the entries against a mirror directory', async () => {
      const dir = join(work, 'tiles-for-follow');
      expect((await canopy('registry', 'export-tiles', dir, '--data', dataDir)).code).toBe(0);
      const r = await canopy('registry', 'follow', '--registry', reg.url, '--registry-key', vkeyFile, '--tiles', dir, '--limit', '4');
      expect(lines(r.out).map((l) => l.sequence)).toEqual([0, 1, 2, 3]);
    });
  });

  describe('when given --cosigner and --quorum', () => {
    it('refuses checkpoints without enough cosignatures, printing nothing', async () => {
      const witness = generateNoteKey('witness.test/cli', new Uint8Array(32).fill(2));
      const r = await canopy('registry', 'follow', '--registry', reg.url, '--registry-key', vkeyFile, '--cosigner', witness.verifierKey, '--quorum', '1', '--until-caught-up');
      expect([r.code, r.out]).toEqual([1, '']);
      expect(r.err).toContain('NOTE_UNVERIFIED');
      const opts = followOptionsFromFlags({ registry: reg.url, registryKey: vkeyFile, verify: 'tiles', cosigner: [witness.verifierKey], quorum: 1 });
      expect(opts.policy).toEqual({ registryKey: REGISTRY_KEY.verifierKey, cosigners: [witness.verifierKey], quorum: 1 });
      expect(() => followOptionsFromFlags({ registry: reg.url, registryKey: vkeyFile, verify: 'tiles', cosigner: [witness.verifierKey], quorum: 2 })).toThrow(/--quorum 2/);
    });
  });

  describe('when the flags are malformed', () => {
    it('exits 2 for usage errors and 1 for bad values', async () => {
      expect((await canopy('registry', 'follow', '--registry', reg.url, '--registry-key', vkeyFile, '--verify', 'trust')).code).toBe(2);
      expect((await canopy('registry', 'follow', '--registry', reg.url, '--registry-key', vkeyFile, '--after', '-1')).code).toBe(2);
      expect((await canopy('registry', 'follow', '--registry', reg.url, '--registry-key', vkeyFile, '--limit', '0')).code).toBe(2);
      expect((await canopy('registry', 'follow', '--registry', reg.url)).code).toBe(2);
      expect((await canopy('registry', 'follow', '--registry', reg.url, '--registry-key', join(work, 'missing.vkey'))).code).toBe(1);
      expect(() => followOptionsFromFlags({ registry: reg.url, registryKey: vkeyFile, verify: 'proofs', tiles: work, cosigner: [] })).toThrow(/--tiles/);
      expect(followOptionsFromFlags({ registry: `${reg.url}/`, registryKey: vkeyFile, verify: 'tiles', cosigner: [], poll: true })).toMatchObject({ registry: reg.url, mode: 'poll', verify: { kind: 'tiles', location: reg.url }, after: null, limit: null, statePath: null, untilCaughtUp: false });
    });
  });
});
