// The explorer's server side: explorerHandler on its own (framework-free requests), and
// mounted in a running registry (registry/server.ts): what it serves, with which headers,
// what it refuses, and that it serves nothing from anywhere but the registry.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import type { ApiRequest } from '../../registry/api/http.ts';
import { EXPLORER_CSP, EXPLORER_STATIC_DIR, explorerHandler } from '../../registry/explorer/explorer-handler.ts';
import { ENTRY_TYPES } from '../../registry/log/entry.ts';
import { REGISTRY_KEY, sqliteFixture } from '../registry/_fixtures.ts';
import { raw, startTestRegistry, type TestRegistry } from '../registry-api/_registry.ts';

const req = (method: string, target: string): ApiRequest => ({ method, target, params: {}, query: {}, headers: {}, body: null, client: '127.0.0.1' });
const STATIC_FILES = readdirSync(EXPLORER_STATIC_DIR);
const text = (name: string) => readFileSync(new URL(name, EXPLORER_STATIC_DIR), 'utf8');

describe('explorerHandler', () => {
  const handler = explorerHandler({ registryKey: REGISTRY_KEY.verifierKey });

  describe('when asked for the page, an asset or the configuration', () => {
    it('serves index.html at / (query ignored) with the Content-Security-Policy', async () => {
      for (const target of ['/', '/?x=1']) {
        const r = await handler(req('GET', target));
        expect(r?.status).toBe(200);
        expect(r!.body).toEqual({ text: text('index.html'), contentType: 'text/html; charset=utf-8' });
        expect(r!.headers!['content-security-policy']).toBe(EXPLORER_CSP);
      }
      expect(EXPLORER_CSP).toContain("script-src 'self'");
      expect(EXPLORER_CSP).toContain("default-src 'none'");
      expect(EXPLORER_CSP).not.toContain('unsafe');
    });
    it('serves every static file under /explorer/ with its media type, HEAD too', async () => {
      const types: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml; charset=utf-8' };
      const assets = STATIC_FILES.filter((f) => f !== 'index.html');
      expect(assets.length).toBeGreaterThan(10);
      for (const f of assets) {
        for (const method of ['GET', 'HEAD']) {
          const r = await handler(req(method, `/explorer/${f}`));
          expect([f, r?.status, r && 'contentType' in r.body ? r.body.contentType : null]).toEqual([f, 200, types[f.slice(f.lastIndexOf('.') + 1)]]);
        }
      }
    });
    it('announces the registry key, the entry types and the interpretation tables in config.json', async () => {
      const r = await handler(req('GET', '/explorer/config.json'));
      const config = (r!.body as { json: { registryKey: string; entryTypes: string[]; interpretations: Record<string, unknown>; limits: Record<string, number> } }).json;
      expect(config.registryKey).toBe(REGISTRY_KEY.verifierKey);
      expect(config.entryTypes).toEqual([...ENTRY_TYPES]);
      expect(Object.keys(config.interpretations)).toContain('plot-attestation');
      expect(config.limits).toEqual({ entriesPage: 100, checkpointsPage: 100, submissionsPage: 100 });
      const none = await explorerHandler({ registryKey: null })(req('GET', '/explorer/config.json'));
      expect((none!.body as { json: { registryKey: null } }).json.registryKey).toBeNull();
    });
  });

  describe('when the request is not the explorer’s', () => {
    it('answers null, so the API answers 404 or 405', async () => {
      for (const [method, target] of [
        ['POST', '/'],
        ['PUT', '/explorer/main.js'],
        ['GET', '/explorer/'],
        ['GET', '/explorer'],
        ['GET', '/explorer/index.html'],
        ['GET', '/explorer/nope.js'],
        ['GET', '/explorer/../explorer-handler.ts'],
        ['GET', '/explorer/%2e%2e/explorer-handler.ts'],
        ['GET', '/explorer/..%2fexplorer-handler.ts'],
        ['GET', '/explorer/tsconfig.json'],
        ['GET', '/explorer/main.js/'],
        ['GET', '/explorer//main.js'],
        ['GET', '//explorer/main.js'],
        ['GET', '/index.html'],
        ['GET', '/v1/entries'],
      ]) {
        expect([method, target, await handler(req(method!, target!))]).toEqual([method, target, null]);
      }
    });
  });

  describe('when the registry key is malformed', () => {
    it('throws KEY_MALFORMED or TypeError', () => {
      expect(() => explorerHandler({ registryKey: 'not a key' })).toThrow(CanopyError);
      expect(() => explorerHandler({ registryKey: 42 as unknown as string })).toThrow(TypeError);
      expect(() => explorerHandler(null as unknown as { registryKey: null })).toThrow(TypeError);
    });
  });
});

describe('the static files', () => {
  it('load nothing from another origin: root-relative links, relative imports, no CSS url() or font', () => {
    const html = text('index.html');
    for (const m of html.matchAll(/\b(?:src|href)="([^"]*)"/g)) expect(m[1]!, m[0]).toMatch(/^(?:\/(?!\/)|#)/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\bstyle=/);
    for (const f of STATIC_FILES.filter((x) => x.endsWith('.js'))) {
      const js = text(f);
      for (const m of js.matchAll(/^import [^;]*? from '([^']+)';/gm)) expect([f, m[1]]).toEqual([f, expect.stringMatching(/^\.\/[a-z0-9-]+\.js$/)]);
      // Code only: JSDoc types may name import('./x.js').
      const code = js.replace(/\/\*[\s\S]*?\*\//g, '');
      expect(code, f).not.toMatch(/\bimport\(|\beval\(|new Function|innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
      expect(code, f).not.toMatch(/localStorage|sessionStorage|document\.cookie|indexedDB/);
    }
    const css = text('explorer.css');
    expect(css).not.toMatch(/url\(|@import|@font-face/);
  });
  it('import only modules that are served', () => {
    const names = new Set(STATIC_FILES);
    for (const f of STATIC_FILES.filter((x) => x.endsWith('.js'))) {
      for (const m of text(f).matchAll(/^import [^;]*? from '\.\/([^']+)';/gm)) expect([f, names.has(m[1]!)]).toEqual([f, true]);
    }
  });
});

describe('createRegistryApp with the explorer mounted', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startTestRegistry(sqliteFixture());
  });
  afterAll(async () => {
    await reg.close();
  });

  describe('when a browser asks for the page', () => {
    it('serves / as HTML with the CSP, nosniff and no-referrer, and the assets beside it', async () => {
      const page = await raw(reg.url, 'GET', '/');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('content-security-policy')).toBe(EXPLORER_CSP);
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      const main = await raw(reg.url, 'GET', '/explorer/main.js');
      expect([main.status, main.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
      const head = await fetch(`${reg.url}/`, { method: 'HEAD' });
      expect([head.status, await head.text()]).toEqual([200, '']);
    });
    it('announces the registry’s own key', async () => {
      const config = await raw(reg.url, 'GET', '/explorer/config.json');
      expect(config.json.registryKey).toBe(reg.service.log.verifierKey);
      expect(config.json.registryKey).toBe(REGISTRY_KEY.verifierKey);
    });
  });

  describe('when the request is not for the explorer', () => {
    it('leaves the API’s answers as they were', async () => {
      expect((await raw(reg.url, 'GET', '/explorer/nope.js')).json.error?.code).toBe('NOT_FOUND');
      expect((await raw(reg.url, 'POST', '/')).status).toBe(404);
      expect((await raw(reg.url, 'GET', '/healthz')).status).toBe(200);
      expect((await raw(reg.url, 'PUT', '/v1/entries')).status).toBe(405);
    });
  });
});
