// Serving a log's static resources: the express router over a tiles directory (as a
// stand-alone mirror would run it) and in front of a registry (rate-limited like its API),
// the C2SP media types and cache headers, gzip for bundles, and strict paths: nothing but
// a canonical tile, history or checkpoint path is ever read.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryResources, resourceKind } from '../../registry/tiles/serve-tiles.ts';
import { tilesRouter } from '../../registry/tiles/tiles-router.ts';
import { TileWriter } from '../../registry/tiles/tile-writer.ts';
import { sqliteFixture } from '../registry/_fixtures.ts';
import { startTestRegistry } from '../registry-api/_registry.ts';
import { MemoryTileLog, syntheticEntry } from './_tiles.ts';

let dir: string;
let server: Server;
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'canopy-serve-tiles-'));
  const log = new MemoryTileLog();
  await log.append(Array.from({ length: 300 }, (_, i) => syntheticEntry(i)));
  await new TileWriter(dir, { durable: false }).write(await log.sign(), log);
  const app = express().use(tilesRouter({ source: directoryResources(dir), checkpoint: true }));
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('tilesRouter', () => {
  describe('when serving a tiles directory', () => {
    it('answers each kind of resource with its media type and cache policy', async () => {
      const cases: [string, string, string][] = [
        ['checkpoint', 'text/plain; charset=utf-8', 'public, max-age=5'],
        ['tile/0/000', 'application/octet-stream', 'public, max-age=31536000, immutable'],
        ['tile/0/001.p/44', 'application/octet-stream', 'public, max-age=60'],
        ['tile/1/000.p/1', 'application/octet-stream', 'public, max-age=60'],
        ['tile/entries/000', 'application/octet-stream', 'public, max-age=31536000, immutable'],
        ['canopy/checkpoints/001.p', 'application/json; charset=utf-8', 'public, max-age=5'],
      ];
      for (const [path, type, cache] of cases) {
        const r = await fetch(`${url}/${path}`, { headers: { 'accept-encoding': 'identity' } });
        expect([path, r.status, r.headers.get('content-type'), r.headers.get('cache-control')]).toEqual([path, 200, type, cache]);
        expect(Buffer.from(await r.arrayBuffer()).equals(readFileSync(join(dir, path))), path).toBe(true);
      }
    });

    it('compresses entry bundles for clients that accept gzip', async () => {
      // node:http, not fetch: fetch would decode the body before the test sees it.
      const { headers, body } = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        get(`${url}/tile/entries/000`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        }).on('error', reject);
      });
      expect(headers['content-encoding']).toBe('gzip');
      expect(headers.vary).toBe('accept-encoding');
      expect(body.length).toBeLessThan(readFileSync(join(dir, 'tile/entries/000')).length);
      expect(gunzipSync(body).equals(readFileSync(join(dir, 'tile/entries/000')))).toBe(true);
      expect((await fetch(`${url}/tile/0/000`, { headers: { 'accept-encoding': 'gzip' } })).headers.get('content-encoding')).toBeNull();
    });

    it('answers HEAD with the length and no body', async () => {
      const r = await fetch(`${url}/tile/0/000`, { method: 'HEAD' });
      expect([r.status, r.headers.get('content-length'), (await r.arrayBuffer()).byteLength]).toEqual([200, '8192', 0]);
    });

    it('answers 404, reading nothing, for any path that is not canonical', async () => {
      for (const path of ['tile/0/002', 'tile/0/001.p/45', 'tile/0/0', 'tile/0/000.p/256', 'tile/entries/001.p/044', 'tile/0/x000/001', 'tile/0/%2e%2e/000', 'tile/64/000', 'canopy/checkpoints/1', 'canopy/checkpoints/000.p/1', 'tile/']) {
        const r = await fetch(`${url}/${path}`);
        expect([path, r.status]).toEqual([path, 404]);
        // The router's own 404 names the code; paths outside its routes get express's page.
        if (r.headers.get('content-type')?.startsWith('application/json')) expect(((await r.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
      }
      // Sent as is (fetch would normalise them): dot segments never reach the file system.
      for (const path of ['/tile/../checkpoint', '/tile/0/../../checkpoint', '/canopy/checkpoints/../../checkpoint']) {
        const status = await new Promise<number | undefined>((resolve, reject) => {
          const { port } = server.address() as AddressInfo;
          get({ host: '127.0.0.1', port, path }, (res) => {
            res.resume();
            resolve(res.statusCode);
          }).on('error', reject);
        });
        expect([path, status]).toEqual([path, 404]);
      }
    });
  });

  describe('when mounted in front of a registry with a rate limit', () => {
    it('takes tokens from the same buckets as the API', async () => {
      const reg = await startTestRegistry(sqliteFixture(), { rateLimit: { burst: 3, perSecond: 1 } });
      try {
        const statuses = [];
        for (let i = 0; i < 5; i++) statuses.push((await fetch(`${reg.url}/tile/0/000.p/1`)).status);
        expect(statuses.slice(3)).toEqual([429, 429]);
        expect((await fetch(`${reg.url}/v1/follow`)).status).toBe(429);
      } finally {
        await reg.close();
      }
    });
  });
});

describe('resourceKind', () => {
  describe('when given hostile paths', () => {
    it('names only canonical resources', () => {
      expect(resourceKind('checkpoint')).toEqual({ kind: 'checkpoint' });
      expect(resourceKind('canopy/checkpoints/x001/000.p')).toEqual({ kind: 'history', n: 1000, complete: false });
      expect(resourceKind('tile/entries/000.p/3')).toEqual({ kind: 'tile', tile: { height: 8, level: -1, index: 0, width: 3 } });
      for (const p of [undefined, null, 3, '', '/checkpoint', 'checkpoint/', 'canopy/checkpoints/x000/001', 'canopy/checkpoints/000.p.p', 'tile/0/000\u0000', 'x'.repeat(200)]) expect(resourceKind(p)).toBeNull();
    });
  });
});
