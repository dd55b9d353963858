// The tile writer on a real directory: which files exist after each checkpoint, that full
// tiles are written once and never rewritten, that superseded partial tiles go only once
// their full tile exists, that the checkpoint names only files already written, and that
// a directory of another log, or a note that the log does not back, is refused.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cosignatureSigner } from '../../core/note/cosignature.ts';
import { generateNoteKey, noteVerifier } from '../../core/note/note-key.ts';
import { openNote, signNote } from '../../core/note/signed-note.ts';
import { CanopyError } from '../../core/errors.ts';
import { decodeHistory } from '../../registry/tiles/checkpoint-history.ts';
import { exportTiles, watchTiles } from '../../registry/tiles/export-tiles.ts';
import { TileWriter } from '../../registry/tiles/tile-writer.ts';
import { MEMORY_LOG_KEY, MemoryTileLog, syntheticEntry } from './_tiles.ts';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'canopy-tiles-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(relative(dir, join(d, e.name)));
    }
  };
  walk(dir);
  return out.sort();
}

async function grow(log: MemoryTileLog, size: number): Promise<string> {
  const from = log.entries.length;
  await log.append(Array.from({ length: size - from }, (_, i) => syntheticEntry(from + i)));
  return log.sign();
}

const code = (c: string) => (e: unknown) => e instanceof CanopyError && e.code === c;

describe('TileWriter.write', () => {
  describe('when the log grows checkpoint by checkpoint', () => {
    it('holds exactly the files C2SP requires after each one, never rewriting a full tile', async () => {
      const dir = tempDir();
      const log = new MemoryTileLog();
      const writer = new TileWriter(dir);

      let r = await writer.write(await grow(log, 3), log);
      expect(r).toMatchObject({ fromSize: 0, size: 3, written: 2, removed: 0, checkpointUpdated: true });
      expect(files(dir)).toEqual(['canopy/checkpoints/000.p', 'checkpoint', 'tile/0/000.p/3', 'tile/entries/000.p/3']);

      r = await writer.write(await grow(log, 256), log);
      expect(r).toMatchObject({ fromSize: 3, size: 256, written: 3, removed: 2 }); // tile/0/000.p and tile/entries/000.p
      // Size 256 opens history range 1; range 0 (the checkpoint of size 3) is complete.
      expect(files(dir)).toEqual(['canopy/checkpoints/000', 'canopy/checkpoints/001.p', 'checkpoint', 'tile/0/000', 'tile/1/000.p/1', 'tile/entries/000']);
      const full = statSync(join(dir, 'tile/0/000'));

      await writer.write(await grow(log, 300), log);
      await writer.write(await grow(log, 310), log);
      // The partial tiles of both signed sizes stay: a client holding either checkpoint reads its own.
      expect(files(dir)).toEqual([
        'canopy/checkpoints/000',
        'canopy/checkpoints/001.p',
        'checkpoint',
        'tile/0/000',
        'tile/0/001.p/44',
        'tile/0/001.p/54',
        'tile/1/000.p/1',
        'tile/entries/000',
        'tile/entries/001.p/44',
        'tile/entries/001.p/54',
      ]);

      r = await writer.write(await grow(log, 600), log);
      expect(r.removed).toBe(2); // tile/0/001.p and tile/entries/001.p, now that tile 1 is full
      expect(files(dir)).toEqual([
        'canopy/checkpoints/000',
        'canopy/checkpoints/002.p',
        'checkpoint',
        'tile/0/000',
        'tile/0/001',
        'tile/0/002.p/88',
        'tile/1/000.p/1',
        'tile/1/000.p/2',
        'tile/entries/000',
        'tile/entries/001',
        'tile/entries/002.p/88',
        'canopy/checkpoints/001',
      ].sort());
      const after = statSync(join(dir, 'tile/0/000'));
      expect([after.ino, after.mtimeMs]).toEqual([full.ino, full.mtimeMs]);
      expect(readFileSync(join(dir, 'checkpoint'), 'utf8')).toBe((await log.latestCheckpoint())!.note);
    });
  });

  describe('when several signed checkpoints are exported at once', () => {
    it('also writes the partial tiles of the earlier ones that are still partial', async () => {
      const dir = tempDir();
      const log = new MemoryTileLog();
      for (const size of [5, 256, 300, 600]) await grow(log, size);
      expect(await new TileWriter(dir).write((await log.latestCheckpoint())!.note, log)).toMatchObject({ fromSize: 0, size: 600, written: 8 });
      expect(files(dir).filter((f) => f.startsWith('tile/'))).toEqual(['tile/0/000', 'tile/0/001', 'tile/0/002.p/88', 'tile/1/000.p/1', 'tile/1/000.p/2', 'tile/entries/000', 'tile/entries/001', 'tile/entries/002.p/88']);
    });
  });

  describe('when the checkpoint history is written', () => {
    it('lists every signed checkpoint by range, complete ranges apart', async () => {
      const dir = tempDir();
      const log = new MemoryTileLog();
      const writer = new TileWriter(dir);
      for (const size of [0, 1, 5, 255, 256, 700]) await writer.write(await grow(log, size), log);
      const range0 = decodeHistory(readFileSync(join(dir, 'canopy/checkpoints/000')), 0, 'range 0');
      expect(range0.map((c) => c.size)).toEqual([0, 1, 5, 255]);
      expect(range0[2]!.note).toBe(log.checkpointRecords[2]!.note);
      expect(decodeHistory(readFileSync(join(dir, 'canopy/checkpoints/001')), 1, 'range 1')).toEqual([expect.objectContaining({ size: 256 })]);
      expect(decodeHistory(readFileSync(join(dir, 'canopy/checkpoints/002.p')), 2, 'range 2').map((c) => c.size)).toEqual([700]);
    });
  });

  describe('when the same checkpoint is written again', () => {
    it('writes nothing; with new cosignatures it replaces only the checkpoint', async () => {
      const dir = tempDir();
      const log = new MemoryTileLog();
      const writer = new TileWriter(dir);
      const note = await grow(log, 20);
      await writer.write(note, log);
      expect(await writer.write(note, log)).toMatchObject({ written: 0, checkpointUpdated: false });
      const witness = generateNoteKey('witness.test/w1', new Uint8Array(32).fill(5));
      const cosigned = signNote(openNote(note, [noteVerifier(MEMORY_LOG_KEY.verifierKey)]), [cosignatureSigner(witness.signerKey, () => 1_700_000_000)]);
      expect(await writer.write(cosigned, log)).toMatchObject({ written: 0, checkpointUpdated: true, size: 20 });
      expect(readFileSync(join(dir, 'checkpoint'), 'utf8')).toBe(cosigned);
    });
  });

  describe('when given an older checkpoint than the directory holds', () => {
    it('changes nothing', async () => {
      const dir = tempDir();
      const log = new MemoryTileLog();
      const writer = new TileWriter(dir);
      const old = await grow(log, 5);
      const latest = await grow(log, 9);
      await writer.write(latest, log);
      expect(await writer.write(old, log)).toMatchObject({ size: 9, written: 0, checkpointUpdated: false });
      expect(readFileSync(join(dir, 'checkpoint'), 'utf8')).toBe(latest);
    });
  });

  describe('when the note does not carry the root of the source', () => {
    it('throws LOG_INCONSISTENT and writes nothing', async () => {
      const dir = tempDir();
      const log = new MemoryTileLog();
      const other = new MemoryTileLog();
      await grow(log, 4);
      await other.append([100, 101, 102, 103].map(syntheticEntry));
      // Signed by the same key over other entries: a note the source does not back.
      const foreign = await other.sign();
      await expect(new TileWriter(dir).write(foreign, log)).rejects.toSatisfy(code('LOG_INCONSISTENT'));
      expect(files(dir)).toEqual([]);
    });
  });

  describe('when the directory holds another log', () => {
    it('throws INVALID_INPUT for another origin', async () => {
      const dir = tempDir();
      const a = new MemoryTileLog();
      const b = new MemoryTileLog(generateNoteKey('other.test/log', new Uint8Array(32).fill(4)).signerKey);
      await new TileWriter(dir).write(await grow(a, 3), a);
      await expect(new TileWriter(dir).write(await grow(b, 5), b)).rejects.toSatisfy(code('INVALID_INPUT'));
    });
    it('throws LOG_INCONSISTENT for the same origin with another history', async () => {
      const dir = tempDir();
      const a = new MemoryTileLog();
      const b = new MemoryTileLog();
      await new TileWriter(dir).write(await grow(a, 3), a);
      await b.append([syntheticEntry(1000)]);
      await expect(new TileWriter(dir).write(await grow(b, 5), b)).rejects.toSatisfy(code('LOG_INCONSISTENT'));
      expect(readFileSync(join(dir, 'checkpoint'), 'utf8')).toBe((await a.latestCheckpoint())!.note);
    });
  });

  describe('when a full tile left by an interrupted run differs', () => {
    it('refuses to rewrite it and keeps the old checkpoint', async () => {
      const dir = tempDir();
      const log = new MemoryTileLog();
      const writer = new TileWriter(dir);
      await writer.write(await grow(log, 10), log);
      const before = readFileSync(join(dir, 'checkpoint'), 'utf8');
      const note = await grow(log, 256);
      // A stray full tile, as if another log had written here.
      mkdirSync(join(dir, 'tile/0'), { recursive: true });
      writeFileSync(join(dir, 'tile/0/000'), new Uint8Array(8192).fill(1));
      await expect(writer.write(note, log)).rejects.toSatisfy((e: unknown) => code('LOG_INCONSISTENT')(e) && (e as Error).message.includes('tile/0/000'));
      expect(readFileSync(join(dir, 'checkpoint'), 'utf8')).toBe(before);
    });
  });

  describe('when given hostile options', () => {
    it('rejects a non-string or empty directory', () => {
      expect(() => new TileWriter(3 as unknown as string)).toThrow(TypeError);
      expect(() => new TileWriter('')).toThrow(RangeError);
      expect(() => new TileWriter('x', { durable: 'yes' as unknown as boolean })).toThrow(TypeError);
    });
  });
});

describe('exportTiles', () => {
  describe('when the store has no checkpoint', () => {
    it('returns null and writes nothing', async () => {
      const dir = tempDir();
      expect(await exportTiles(new MemoryTileLog(), dir)).toBeNull();
      expect(files(dir)).toEqual([]);
    });
  });
});

describe('watchTiles', () => {
  describe('when checkpoints are signed while it runs', () => {
    it('writes each one, and stops when aborted', async () => {
      const dir = tempDir();
      const log = new MemoryTileLog();
      await grow(log, 2);
      const writer = new TileWriter(dir, { durable: false });
      const controller = new AbortController();
      const seen: number[] = [];
      const done = watchTiles(log, writer, {
        intervalMs: 5,
        signal: controller.signal,
        onWrite: (r) => {
          seen.push(r.size);
          if (r.size === 2) void grow(log, 40);
          if (r.size === 40) controller.abort();
        },
      });
      await done;
      expect(seen).toEqual([2, 40]);
      expect((await writer.published())!.checkpoint.size).toBe(40);
    });
  });
});
