// A registry log read through tiles: a registry started in-process (SQLite, plain entries:
// datasets and party registrations), its read path exported with `exportTiles` into a
// directory, and that directory served by a plain static file server (node:http + node:fs,
// not the registry). A `TiledLog` on the mirror must replay every entry and compute every
// proof the registry's API gives, verified against the registry's pinned key; altering any
// tile, bundle, history file or the checkpoint on the mirror must fail, naming what was
// altered. The registry's own store-served tiles (the router in front of its API) must
// answer the same.
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import { cosignatureSigner } from '../../core/note/cosignature.ts';
import { generateNoteKey, noteSigner, noteVerifier } from '../../core/note/note-key.ts';
import { openNote, signNote } from '../../core/note/signed-note.ts';
import { hashEqual } from '../../core/tlog/hash.ts';
import { storedHashIndex } from '../../core/tlog/stored-hash.ts';
import type { SignedCheckpoint } from '../../registry/log/checkpoint.ts';
import { checkConsistencyProof, checkInclusionProof } from '../../registry/log/log-proofs.ts';
import { encodeEntry } from '../../registry/log/entry.ts';
import type { ServedEntry } from '../../registry/log/registry-log.ts';
import { exportTiles } from '../../registry/tiles/export-tiles.ts';
import { TiledLog } from '../../registry/tiles/tiled-log-client.ts';
import { TileWriter } from '../../registry/tiles/tile-writer.ts';
import { datasetEntry, fe, REGISTRY_KEY, registration, sqliteFixture } from '../registry/_fixtures.ts';
import { startTestRegistry, type TestRegistry } from '../registry-api/_registry.ts';
import { MEMORY_LOG_KEY, MemoryTileLog, serveDirectory, type StaticServer, syntheticEntry } from './_tiles.ts';

const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const isCode = (code: string, ...mentions: string[]) => (e: unknown) => e instanceof CanopyError && e.code === code && mentions.every((m) => e.message.includes(m));

/** Plain entries: mostly datasets, every seventh a party registration. */
function plainEntry(i: number) {
  return i % 7 === 3 ? registration(`party-${i}`) : datasetEntry(fe(`dataset ${i}`), `dataset ${i}`);
}

let reg: TestRegistry;
let mirrorDir: string;
let mirror: StaticServer;
let history: SignedCheckpoint[];
let served: ServedEntry[];
const temp: string[] = [];
const SIZES = [5, 256, 300, 600];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'canopy-mirror-'));
  temp.push(d);
  return d;
}

beforeAll(async () => {
  reg = await startTestRegistry(sqliteFixture());
  const base = (await reg.service.log.store.head()).size;
  for (const size of SIZES) {
    const have = (await reg.service.log.store.head()).size;
    await reg.service.log.append(Array.from({ length: size - have }, (_, k) => plainEntry(have + k)));
    await reg.service.signCheckpoint();
  }
  expect(base).toBe(0);
  history = await reg.client.checkpoints({ from: 0, limit: 100 });
  served = [...(await reg.service.log.readEntries(0, 600))];
  mirrorDir = tempDir();
  const r = await exportTiles(reg.service.log.store, mirrorDir);
  expect(r).toMatchObject({ size: 600, checkpointUpdated: true });
  mirror = await serveDirectory(mirrorDir);
}, 120_000);

afterAll(async () => {
  await mirror?.close();
  await reg?.close();
  for (const d of temp) rmSync(d, { recursive: true, force: true });
});

describe('TiledLog', () => {
  describe('when reading an exported mirror over plain HTTP', () => {
    it('verifies the checkpoint with the pinned key and replays every entry as the registry serves it', async () => {
      const log = new TiledLog({ location: mirror.url });
      const { checkpoint, signedBy } = await log.verifiedCheckpoint(REGISTRY_KEY.verifierKey);
      expect(checkpoint.size).toBe(600);
      expect(signedBy).toEqual([REGISTRY_KEY.verifierKey.split('+')[0]]);
      expect(await log.checkpointNote()).toBe(await reg.client.checkpointNote());
      const replayed: ServedEntry[] = [];
      for await (const e of log.entryRange(0, checkpoint.size)) replayed.push(e);
      expect(replayed).toEqual(served);
      // The same pages as the API's.
      expect(await log.entries(250, 260)).toEqual(await reg.client.entries(250, 260));
      expect(await log.entry(599)).toEqual(await reg.client.entry(599));
      // Only the static server was asked, and only for tiles, bundles and the checkpoint.
      expect(mirror.requests.every((p) => p === '/checkpoint' || p.startsWith('/tile/') || p.startsWith('/canopy/'))).toBe(true);
    });

    it('computes every inclusion and consistency proof the API gives, and they verify', async () => {
      const log = new TiledLog({ location: mirror.url, policy: { registryKey: REGISTRY_KEY.verifierKey } });
      for (const c of history.filter((h) => h.size > 0)) {
        const root = b64(c.rootHash);
        for (const index of [0, 1, c.size >> 1, c.size - 1]) {
          const proof = await log.inclusionProof(index, c.size);
          expect(proof).toEqual(await reg.client.inclusionProof(index, c.size));
          expect(checkInclusionProof(proof, root, encodeEntry(served[index]!.entry))).toBe(true);
        }
        for (const old of history.filter((h) => h.size > 0 && h.size <= c.size)) {
          const proof = await log.consistencyProof(old.size, c.size);
          expect(proof).toEqual(await reg.client.consistencyProof(old.size, c.size));
          expect(checkConsistencyProof(proof, b64(old.rootHash), root)).toBe(true);
        }
      }
    });

    it('serves the checkpoint history the API serves, each note verified', async () => {
      const log = new TiledLog({ location: mirror.url, policy: { registryKey: REGISTRY_KEY.verifierKey } });
      expect(await log.checkpoints()).toEqual(history);
      expect(await log.checkpoints({ from: 257, limit: 1 })).toEqual(history.filter((c) => c.size >= 257).slice(0, 1));
    });

    it('reads a directory the same way', async () => {
      const log = new TiledLog({ location: mirrorDir, policy: { registryKey: REGISTRY_KEY.verifierKey } });
      const replayed: ServedEntry[] = [];
      for await (const e of log.entryRange(0, 600)) replayed.push(e);
      expect(replayed).toEqual(served);
    });
  });

  describe('when it trusts an older checkpoint whose partial tiles the mirror has deleted', () => {
    it('reads them from the full tiles', async () => {
      const note300 = history.find((c) => c.size === 300)!.note;
      expect(() => readFileSync(join(mirrorDir, 'tile/0/001.p/44'))).toThrow();
      const log = new TiledLog({ location: mirror.url, policy: { registryKey: REGISTRY_KEY.verifierKey } });
      await log.adoptCheckpoint(note300);
      expect((await log.entries(256, 300)).entries).toEqual(served.slice(256, 300));
      expect(await log.inclusionProof(299, 300)).toEqual(await reg.client.inclusionProof(299, 300));
    });
  });

  describe('when reading the registry itself', () => {
    it('gets the same tiles from its store, with C2SP cache headers', async () => {
      const log = new TiledLog({ location: reg.url, policy: { registryKey: REGISTRY_KEY.verifierKey } });
      const replayed: ServedEntry[] = [];
      for await (const e of log.entryRange(0, 600)) replayed.push(e);
      expect(replayed).toEqual(served);
      expect(await log.checkpoints()).toEqual(history);
      for (const path of ['tile/0/000', 'tile/0/002.p/88', 'tile/1/000.p/2', 'tile/entries/001', 'canopy/checkpoints/001', 'canopy/checkpoints/002.p']) {
        const [fromRegistry, fromMirror] = await Promise.all([fetch(`${reg.url}/${path}`), fetch(`${mirror.url}/${path}`)]);
        expect([path, fromRegistry.status]).toEqual([path, 200]);
        expect(Buffer.from(await fromRegistry.arrayBuffer()).equals(Buffer.from(await fromMirror.arrayBuffer())), path).toBe(true);
      }
      const full = await fetch(`${reg.url}/tile/0/000`);
      expect(full.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(full.headers.get('content-type')).toBe('application/octet-stream');
      expect((await fetch(`${reg.url}/tile/0/002.p/88`)).headers.get('cache-control')).toBe('public, max-age=60');
      const bundle = await fetch(`${reg.url}/tile/entries/000`, { headers: { 'accept-encoding': 'gzip' } });
      expect(bundle.headers.get('content-encoding')).toBe('gzip');
      for (const missing of ['tile/0/002.p/89', 'tile/0/003', 'tile/2/000.p/1', 'tile/0/0', 'tile/0/000.p/256', 'canopy/checkpoints/002', 'canopy/checkpoints/001.p']) {
        const r = await fetch(`${reg.url}/${missing}`);
        expect([missing, r.status]).toEqual([missing, 404]);
        expect(r.headers.get('cache-control')).toBe('no-cache');
      }
    });
  });

  describe('when a byte of a tile on the mirror is altered', () => {
    const cases: [string, number, string[]][] = [
      // A full level-0 tile, checked against its parent.
      ['tile/0/000', 0, ['tile/0/000', 'parent tile/1/000.p/2']],
      ['tile/0/000', 8191, ['tile/0/000']],
      ['tile/0/001', 4000, ['tile/0/001']],
      // The tiles that hold the tree head.
      ['tile/1/000.p/2', 33, ['tile/1/000.p/2']],
      ['tile/0/002.p/88', 100, ['tile/0/002.p/88']],
    ];
    it.each(cases)('detects %s (byte %i), naming it', async (path, byte, mentions) => {
      const dir = tempDir();
      cpSync(mirrorDir, dir, { recursive: true });
      const data = readFileSync(join(dir, path));
      data[byte]! ^= 0x01;
      writeFileSync(join(dir, path), data);
      const server = await serveDirectory(dir);
      try {
        const log = new TiledLog({ location: server.url, policy: { registryKey: REGISTRY_KEY.verifierKey } });
        const index = path.startsWith('tile/0/001') ? 300 : path.startsWith('tile/0/002') ? 550 : 3;
        await expect(log.entry(index)).rejects.toSatisfy(isCode('PROOF_INVALID', ...mentions));
        await expect(log.inclusionProof(index, 600)).rejects.toSatisfy(isCode('PROOF_INVALID', path));
      } finally {
        await server.close();
      }
    });
  });

  describe('when a byte of an entry bundle on the mirror is altered', () => {
    it.each([
      ['tile/entries/000', 2, 'entry 0 in tile/entries/000'],
      ['tile/entries/001', 500, 'tile/entries/001'],
      ['tile/entries/002.p/88', 0, 'tile/entries/002.p/88'],
    ])('detects %s (byte %i), naming it', async (path, byte, mention) => {
      const dir = tempDir();
      cpSync(mirrorDir, dir, { recursive: true });
      const data = readFileSync(join(dir, path));
      data[byte]! ^= 0x20;
      writeFileSync(join(dir, path), data);
      const log = new TiledLog({ location: dir, policy: { registryKey: REGISTRY_KEY.verifierKey } });
      const start = path.includes('001') ? 256 : path.includes('002') ? 512 : 0;
      await expect(log.entries(start, Math.min(600, start + 256))).rejects.toSatisfy(isCode('PROOF_INVALID', mention));
    });
  });

  describe('when the mirror serves a history record that its note does not sign', () => {
    it('throws PROOF_INVALID naming the history file', async () => {
      const dir = tempDir();
      cpSync(mirrorDir, dir, { recursive: true });
      const file = join(dir, 'canopy/checkpoints/001');
      const json = JSON.parse(readFileSync(file, 'utf8')) as { checkpoints: SignedCheckpoint[] };
      json.checkpoints[0]!.lotsRoot = '1';
      writeFileSync(file, JSON.stringify(json));
      const log = new TiledLog({ location: dir, policy: { registryKey: REGISTRY_KEY.verifierKey } });
      await expect(log.checkpoints()).rejects.toSatisfy(isCode('PROOF_INVALID', 'canopy/checkpoints/001', 'lotsRoot'));
    });
  });

  describe('when the checkpoint on the mirror is not the registry key', () => {
    it('refuses a note signed by another key, or altered', async () => {
      const dir = tempDir();
      cpSync(mirrorDir, dir, { recursive: true });
      const note = readFileSync(join(dir, 'checkpoint'), 'utf8');
      const impostor = generateNoteKey(REGISTRY_KEY.verifierKey.split('+')[0]!, new Uint8Array(32).fill(8));
      writeFileSync(join(dir, 'checkpoint'), signNote(note.slice(0, note.indexOf('\n\n') + 1), [noteSigner(impostor.signerKey)]));
      await expect(new TiledLog({ location: dir }).verifiedCheckpoint(REGISTRY_KEY.verifierKey)).rejects.toSatisfy(isCode('NOTE_UNVERIFIED'));
      writeFileSync(join(dir, 'checkpoint'), note.replace('\n600\n', '\n601\n'));
      await expect(new TiledLog({ location: dir }).verifiedCheckpoint(REGISTRY_KEY.verifierKey)).rejects.toSatisfy(isCode('SIGNATURE_INVALID'));
      unlinkSync(join(dir, 'checkpoint'));
      await expect(new TiledLog({ location: dir }).verifiedCheckpoint(REGISTRY_KEY.verifierKey)).rejects.toSatisfy(isCode('NOT_FOUND'));
    });
  });

  describe('when the policy asks for cosignatures', () => {
    const witness = generateNoteKey('witness.test/w1', new Uint8Array(32).fill(6));
    const policy = { registryKey: REGISTRY_KEY.verifierKey, cosigners: [witness.verifierKey], quorum: 1 };
    it('refuses a mirror whose checkpoint lacks them', async () => {
      await expect(new TiledLog({ location: mirror.url, policy }).verifiedCheckpoint(REGISTRY_KEY.verifierKey)).rejects.toSatisfy(isCode('NOTE_UNVERIFIED', '0 of the 1 cosignatures'));
    });
    it('accepts one whose checkpoint carries them', async () => {
      const dir = tempDir();
      cpSync(mirrorDir, dir, { recursive: true });
      const note = readFileSync(join(dir, 'checkpoint'), 'utf8');
      writeFileSync(join(dir, 'checkpoint'), signNote(openNote(note, [noteVerifier(REGISTRY_KEY.verifierKey)]), [cosignatureSigner(witness.signerKey, () => 1_767_225_600)]));
      const v = await new TiledLog({ location: dir, policy }).verifiedCheckpoint(REGISTRY_KEY.verifierKey);
      expect(v.signedBy).toEqual([REGISTRY_KEY.verifierKey.split('+')[0], 'witness.test/w1']);
    });
  });

  describe('when a location changes its history between two reads (a fork)', () => {
    it('throws PROOF_INVALID at the second checkpoint', async () => {
      const dir = tempDir();
      const a = new MemoryTileLog();
      await a.append([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(syntheticEntry));
      await new TileWriter(dir).write(await a.sign(), a);
      const log = new TiledLog({ location: dir, policy: { registryKey: MEMORY_LOG_KEY.verifierKey } });
      await log.verifiedCheckpoint(MEMORY_LOG_KEY.verifierKey);
      // The same key signs a log of 20 entries whose first 10 differ.
      const b = new MemoryTileLog();
      await b.append(Array.from({ length: 20 }, (_, i) => syntheticEntry(100 + i)));
      rmSync(dir, { recursive: true, force: true });
      await new TileWriter(dir).write(await b.sign(), b);
      await expect(log.verifiedCheckpoint(MEMORY_LOG_KEY.verifierKey)).rejects.toSatisfy(isCode('PROOF_INVALID', 'forked'));
      // A fresh reader has no memory of the first history, and accepts the second.
      expect((await new TiledLog({ location: dir }).verifiedCheckpoint(MEMORY_LOG_KEY.verifierKey)).checkpoint.size).toBe(20);
    });
    it('keeps the larger checkpoint when a mirror lags behind, if consistent', async () => {
      const dir = tempDir();
      const a = new MemoryTileLog();
      await a.append(Array.from({ length: 30 }, (_, i) => syntheticEntry(i)));
      const old = await a.sign();
      await a.append(Array.from({ length: 10 }, (_, i) => syntheticEntry(30 + i)));
      await new TileWriter(dir).write(await a.sign(), a);
      const log = new TiledLog({ location: dir, policy: { registryKey: MEMORY_LOG_KEY.verifierKey } });
      await log.verifiedCheckpoint(MEMORY_LOG_KEY.verifierKey);
      const v = await log.adoptCheckpoint(old);
      expect(v.checkpoint.size).toBe(30);
      expect(log.trusted!.checkpoint.size).toBe(40);
    });
  });

  describe('when a full tile above level 0 is altered (a log past 65 536 entries)', () => {
    it('names the level-1 tile', async () => {
      const dir = tempDir();
      const big = new MemoryTileLog();
      await big.append(Array.from({ length: 65_536 + 300 }, (_, i) => syntheticEntry(i)));
      await new TileWriter(dir, { durable: false }).write(await big.sign(), big);
      const path = join(dir, 'tile/1/000');
      const data = readFileSync(path);
      data[32 * 200]! ^= 0x80;
      writeFileSync(path, data);
      const log = new TiledLog({ location: dir, policy: { registryKey: MEMORY_LOG_KEY.verifierKey } });
      await expect(log.leafHashes(200 * 256, 200 * 256 + 1)).rejects.toSatisfy(isCode('PROOF_INVALID', 'tile/1/000 ', 'parent tile/2/000.p/1'));
      // Every leaf below the altered tile fails; leaves beyond it, under tile/1/001.p/1, still verify.
      await expect(log.leafHashes(5, 6)).rejects.toSatisfy(isCode('PROOF_INVALID', 'tile/1/000 '));
      const [leaf] = await log.leafHashes(65_536 + 10, 65_536 + 11);
      expect(hashEqual(leaf!, big.hashes[storedHashIndex(0, 65_536 + 10)]!)).toBe(true);
    }, 120_000);
  });

  describe('when given bad input', () => {
    it('rejects bad ranges and sizes as the API does', async () => {
      const log = new TiledLog({ location: mirror.url, policy: { registryKey: REGISTRY_KEY.verifierKey } });
      await expect(log.entries(-1)).rejects.toThrow(RangeError);
      await expect(log.entries(10, 5)).rejects.toThrow(RangeError);
      await expect(log.entries(0, 2000)).rejects.toThrow(RangeError);
      await expect(log.entries(590, 610)).rejects.toSatisfy(isCode('NOT_FOUND'));
      expect((await log.entries(600)).entries).toEqual([]);
      await expect(log.inclusionProof(600, 600)).rejects.toThrow(RangeError);
      await expect(log.inclusionProof(0, 601)).rejects.toThrow(RangeError);
      await expect(log.consistencyProof(0, 600)).rejects.toThrow(RangeError);
      expect(() => new TiledLog({ location: '' })).toThrow(RangeError);
      expect(() => new TiledLog({ location: mirror.url, policy: { registryKey: 'not a key' } })).toThrow(CanopyError);
      await expect(new TiledLog({ location: mirror.url }).entries(0)).rejects.toSatisfy(isCode('NOTE_UNVERIFIED', 'no registry key'));
      const pinned = new TiledLog({ location: mirror.url, policy: { registryKey: REGISTRY_KEY.verifierKey } });
      await expect(pinned.verifiedCheckpoint(MEMORY_LOG_KEY.verifierKey)).rejects.toThrow(RangeError);
    });
  });
});
