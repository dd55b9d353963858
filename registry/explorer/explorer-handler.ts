/**
 * Serves the registry explorer: a static page for auditors and competent authorities at
 * `/`, its ES modules and style sheet under `/explorer/`, and one JSON document the page
 * starts from. Framework-free like the API handlers: a function from `ApiRequest` to
 * `ApiResponse`, or null when the request is not the explorer's (the server then goes on to
 * its 404/405 answer). registry/server.ts mounts it with its one `adapt()`.
 *
 *     GET /                          static/index.html                 text/html
 *     GET /explorer/<name>.js        static/<name>.js                  text/javascript
 *     GET /explorer/<name>.css|svg   static/<name>.css|svg             text/css, image/svg+xml
 *     GET /explorer/config.json      { registryKey, entryTypes, interpretations, limits }
 *
 * Every answer carries a Content-Security-Policy that allows scripts, styles, images and
 * requests from the registry's own origin only (`script-src 'self'`, no inline script, no
 * eval, no CDN, no web font): the page speaks to nothing but the registry that served it.
 *
 * The page checks what it shows (checkpoint signatures with WebCrypto Ed25519, RFC 9162
 * proofs with WebCrypto SHA-256); `registryKey` is the key it checks checkpoints against by
 * default, announced by the same server, so the page lets the user pin another (see
 * docs/explorer.md: a key from the server that signs is a convenience, not a trust anchor).
 *
 * Files are read once, when the handler is made, from a fixed list of names matching
 * `STATIC_NAME`; a request names a file only by looking it up in that map, so no request
 * path ever reaches the file system.
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { assertString } from '../../core/assert.ts';
import { NOTE_ALG_ED25519, parseVerifierKey } from '../../core/note/note-key.ts';
import type { ApiRequest, ApiResponse } from '../api/http.ts';
import { MAX_CHECKPOINTS_PAGE, MAX_ENTRIES_PAGE, MAX_SUBMISSION_PAGE } from '../api/schemas.ts';
import { ENTRY_TYPES } from '../log/entry.ts';
import { INTERPRETATIONS } from '../log/interpretation.ts';

/** The folder of the page's files. */
export const EXPLORER_STATIC_DIR = new URL('./static/', import.meta.url);

/** URL prefix of the page's assets. */
export const EXPLORER_ASSET_PREFIX = '/explorer/';

/** Names of servable files: lower-case words joined by "-", one known extension. */
export const STATIC_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*\.(?:js|css|svg|html)$/;

/**
 * The Content-Security-Policy of every explorer answer: the registry's own origin for
 * scripts, styles, images and fetches; nothing else, no framing, no form posts.
 */
export const EXPLORER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

const HEADERS = {
  'content-security-policy': EXPLORER_CSP,
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  // Small files, revalidated each load: a registry upgrade must never mix old and new modules.
  'cache-control': 'no-cache',
};

/** Options of `explorerHandler`. */
export interface ExplorerOptions {
  /**
   * The registry's note verifier key ("<origin>+<hash>+<base64>"), announced to the page,
   * or null: the page then asks the user for it.
   */
  registryKey: string | null;
}

/** The explorer's handler: its answer, or null for a request that is not the explorer's. */
export type ExplorerHandler = (req: ApiRequest) => Promise<ApiResponse | null>;

/**
 * The handler serving the explorer (see the module comment).
 * @throws {TypeError} if options is malformed; {CanopyError} KEY_MALFORMED for a registry key
 *   that is not an Ed25519 note verifier key; file system errors if the static folder is unreadable
 * @example app.use(adapt(explorerHandler({ registryKey: service.log.verifierKey })))
 */
export function explorerHandler(options: ExplorerOptions): ExplorerHandler {
  if (typeof options !== 'object' || options === null) throw new TypeError(`"options" expected ExplorerOptions, got ${String(options)}`);
  if (options.registryKey !== null) {
    assertString(options.registryKey, 'options.registryKey', 1024);
    parseVerifierKey(options.registryKey, NOTE_ALG_ED25519);
  }
  const files = new Map<string, ApiResponse>();
  for (const name of readdirSync(EXPLORER_STATIC_DIR).sort()) {
    if (!STATIC_NAME.test(name)) continue;
    const ext = name.slice(name.lastIndexOf('.') + 1);
    files.set(name, { status: 200, body: { text: readFileSync(new URL(name, EXPLORER_STATIC_DIR), 'utf8'), contentType: CONTENT_TYPES[ext]! }, headers: HEADERS });
  }
  const index = files.get('index.html');
  if (index === undefined) throw new Error('canopy: bad math in explorerHandler: static/index.html is missing');
  files.delete('index.html');
  const config = {
    registryKey: options.registryKey,
    entryTypes: [...ENTRY_TYPES],
    interpretations: INTERPRETATIONS,
    limits: { entriesPage: MAX_ENTRIES_PAGE, checkpointsPage: MAX_CHECKPOINTS_PAGE, submissionsPage: MAX_SUBMISSION_PAGE },
  };
  files.set('config.json', { status: 200, body: { json: config }, headers: HEADERS });

  return async (req) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return null;
    // The target is attacker-controlled; only its path is read, and only as a map key.
    const q = req.target.indexOf('?');
    const path = q < 0 ? req.target : req.target.slice(0, q);
    if (path === '/') return index;
    if (!path.startsWith(EXPLORER_ASSET_PREFIX)) return null;
    return files.get(path.slice(EXPLORER_ASSET_PREFIX.length)) ?? null;
  };
}
