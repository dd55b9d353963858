// The OpenAPI document against what the server really answers: the express router of a
// live app is walked and its routes compared with the document's operations, both ways;
// the tiles, history and follow routes (served in front of the router) are each requested.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ERRORS } from '../../registry/api/api-error.ts';
import { openApiDocument, openApiPath } from '../../registry/api/openapi.ts';
import { ROUTES } from '../../registry/api/routes.ts';
import { createRegistryApp } from '../../registry/server.ts';
import { logReadPaths } from '../../registry/tiles/log-read-openapi.ts';
import { datasetEntry, fe, sqliteFixture } from '../registry/_fixtures.ts';
import { raw, startTestRegistry, type TestRegistry } from './_registry.ts';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

let reg: TestRegistry;
beforeAll(async () => {
  reg = await startTestRegistry(sqliteFixture());
  await reg.service.log.append([datasetEntry(fe('o1')), datasetEntry(fe('o2')), datasetEntry(fe('o3'))]);
  await reg.service.signCheckpoint();
});
afterAll(async () => {
  await reg.close();
});

describe('openApiDocument', () => {
  describe('when served at /openapi.json', () => {
    it('lists exactly the routes the express router answers, and the tiles, history and follow routes in front of it', async () => {
      const doc = (await raw(reg.url, 'GET', '/openapi.json')).json as { openapi: string; paths: Record<string, Record<string, unknown>> };
      expect(doc.openapi).toBe('3.1.0');
      const app = createRegistryApp(reg.service.api, { logger: pino({ level: 'silent' }) });
      const routed = (app.router.stack as Layer[])
        .filter((l) => l.route !== undefined)
        .flatMap((l) => Object.keys(l.route!.methods).map((m) => `${m.toUpperCase()} ${openApiPath(l.route!.path)}`));
      expect(routed).toHaveLength(ROUTES.length);
      const served = [...routed, ...Object.keys(logReadPaths()).map((p) => `GET ${p}`)].sort();
      const documented = Object.entries(doc.paths)
        .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
        .sort();
      expect(documented).toEqual(served);
      expect(Object.keys(logReadPaths()).sort()).toEqual(['/canopy/checkpoints/{index}', '/tile/entries/{index}', '/tile/{level}/{index}', '/v1/follow', '/v1/follow/stream']);
    });
    it('answers each documented tiles, history and follow path with its documented media type, and 404 off its pattern', async () => {
      const doc = (await raw(reg.url, 'GET', '/openapi.json')).json as { paths: Record<string, { get: { responses: Record<string, { content?: Record<string, unknown> }>; 'x-canopy-path-pattern'?: string } }> };
      const size = (await reg.service.log.latestCheckpoint())!.size;
      const examples: Record<string, string> = {
        '/tile/{level}/{index}': `/tile/0/000.p/${size}`,
        '/tile/entries/{index}': `/tile/entries/000.p/${size}`,
        '/canopy/checkpoints/{index}': '/canopy/checkpoints/000.p',
        '/v1/follow': '/v1/follow?after=0&limit=2',
      };
      for (const [path, target] of Object.entries(examples)) {
        const op = doc.paths[path]!.get;
        const res = await fetch(`${reg.url}${target}`);
        await res.arrayBuffer();
        expect([target, res.status]).toEqual([target, 200]);
        expect(res.headers.get('content-type')!.split(';')[0]).toBe(Object.keys(op.responses['200']!.content!)[0]);
        if (op['x-canopy-path-pattern'] !== undefined) {
          expect(new RegExp(op['x-canopy-path-pattern']).test(target)).toBe(true);
          const off = target.replace('000', '00');
          expect([off, new RegExp(op['x-canopy-path-pattern']).test(off), (await raw(reg.url, 'GET', off)).status]).toEqual([off, false, 404]);
        }
      }
      const stream = new AbortController();
      const res = await fetch(`${reg.url}/v1/follow/stream?after=0`, { signal: stream.signal });
      expect([res.status, res.headers.get('content-type')!.split(';')[0]]).toEqual([200, Object.keys(doc.paths['/v1/follow/stream']!.get.responses['200']!.content!)[0]]);
      stream.abort();
    });
    it('answers every documented GET route without a path parameter, or names its 4xx', async () => {
      for (const r of ROUTES.filter((x) => x.method === 'GET' && !x.path.includes(':') && x.auth === 'public')) {
        const a = await raw(reg.url, 'GET', r.path);
        // Routes with required query parameters answer 400 without them; the others 200.
        expect([r.path, a.status]).toEqual([r.path, a.status === 400 ? 400 : 200]);
      }
    });
  });

  describe('when built from the route table', () => {
    const doc = openApiDocument(ROUTES, { title: 't', version: '1' }) as { paths: Record<string, Record<string, { parameters?: { name: string; in: string; required: boolean }[]; responses: Record<string, { description: string }>; requestBody?: unknown; security?: unknown }>> };
    it('documents query and path parameters with their required flags', () => {
      const entries = doc.paths['/v1/entries']!.get!;
      expect(entries.parameters).toEqual([expect.objectContaining({ name: 'start', in: 'query', required: true }), expect.objectContaining({ name: 'end', in: 'query', required: false })]);
      expect(doc.paths['/v1/trees/{tree}/proof']!.get!.parameters!.map((p) => [p.name, p.in, p.required])).toEqual([
        ['tree', 'path', true],
        ['leafIndex', 'query', true],
        ['size', 'query', true],
      ]);
    });
    it('documents the look-up routes’ path parameters and the witness routes', () => {
      expect(doc.paths['/v1/trees/{tree}/leaves/{value}']!.get!.parameters!.map((p) => [p.name, p.in, p.required])).toEqual([
        ['tree', 'path', true],
        ['value', 'path', true],
      ]);
      expect(doc.paths['/v1/nullifiers/{value}']!.get!.parameters!.map((p) => p.name)).toEqual(['value']);
      expect(Object.keys(doc.paths['/v1/trees/{tree}/leaves/{value}']!.get!.responses).sort()).toEqual(['200', '400', '404', '429', '500', '503']);
      const cosign = doc.paths['/v1/checkpoints/cosignatures']!.post!;
      expect(cosign.security).toEqual([{ canopySignature: [] }]);
      expect(cosign.responses['422']!.description).toContain('COSIGNATURE_INVALID');
      expect(cosign.responses['400']!.description).toContain('NOTE_MALFORMED');
      expect(doc.paths['/v1/admin/artifacts']!.post!.requestBody).toBeDefined();
      expect(doc.paths['/v1/entries']!.post!.responses['422']!.description).toContain('PARAMETER_NOT_ALLOWED');
      expect(doc.paths['/v1/witnesses']!.get!.security).toBeUndefined();
    });
    it('documents the signed-request headers and security of signed routes only', () => {
      const submit = doc.paths['/v1/entries']!.post!;
      expect(submit.parameters!.filter((p) => p.in === 'header').map((p) => p.name)).toEqual(['canopy-key-id', 'canopy-timestamp', 'canopy-nonce', 'canopy-signature']);
      expect(submit.security).toEqual([{ canopySignature: [] }]);
      expect(submit.requestBody).toBeDefined();
      expect(doc.paths['/v1/entries']!.get!.security).toBeUndefined();
    });
    it('documents every error status a route can give, with its codes', () => {
      const submit = doc.paths['/v1/entries']!.post!.responses;
      expect(Object.keys(submit).sort()).toEqual(['201', '400', '401', '403', '409', '413', '415', '422', '429', '500', '503']);
      expect(submit['422']!.description).toContain('PROOF_INVALID');
      expect(submit['401']!.description).toContain('NONCE_REPLAYED');
      for (const code of Object.keys(API_ERRORS)) expect(Object.values(doc.paths).some((ops) => Object.values(ops).some((op) => Object.values(op.responses).some((r) => r.description.includes(code)))) || code === 'METHOD_NOT_ALLOWED' || code === 'NOT_FOUND').toBe(true);
    });
  });
});
