/**
 * The registry the demo runs for itself: what `canopy registry serve --data DIR` runs,
 * in-process. A SQLite store and the registry's note key in `dataDir` (created fresh),
 * the demo keys as the accepted circuit keys (pinned in the log by its first entry, as
 * `serve` does), the accreditor's key for the admin routes, HTTP on 127.0.0.1 (port 0:
 * a free one), and a checkpoint every 200 ms so that each step can prove against the
 * roots the previous one produced without waiting a second. Requests are not logged and
 * not rate-limited: one user on one machine.
 *
 * The registry serves its explorer page at `/` (registry/explorer), which is what
 * `canopy demo --keep-registry` leaves running.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { assertInteger, assertString } from '../../core/assert.ts';
import { loadArtifacts } from '../../registry/api/artifacts.ts';
import { loadOrCreateRegistryKey } from '../../registry/api/key-files.ts';
import { RegistryService, treeDepthsForProfile } from '../../registry/api/registry-service.ts';
import { RegistryClient } from '../../registry/client.ts';
import { startRegistryServer } from '../../registry/server.ts';
import { openSqliteStore } from '../../registry/store/sqlite.ts';
import type { DemoRegistryHandle } from './_demo-context.ts';

/** How often the demo registry signs a checkpoint when its log grew, ms. */
export const DEMO_CHECKPOINT_INTERVAL_MS = 200;

/** Options of `startDemoRegistry`. */
export interface DemoRegistryOptions {
  /** The registry's folder: registry.db, registry.key, registry.vkey (created). */
  dataDir: string;
  /** The log origin, the name of the registry's key. */
  origin: string;
  /** The setup folder whose keys the registry accepts. */
  keysDir: string;
  profile: string;
  /** The accreditor's note verifier key. */
  accreditorKey: string;
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port: number;
}

/** A running demo registry. */
export interface DemoRegistry extends DemoRegistryHandle {
  /** Stops the HTTP server, then the service (verifier workers, store). */
  close(): Promise<void>;
}

/**
 * Starts the registry (module doc).
 * @throws {CanopyError} NOT_FOUND (no setup manifest), KEY_MALFORMED, ARTIFACT_MISMATCH;
 *   whatever the store throws; a port in use
 * @example const reg = await startDemoRegistry({ dataDir: '.canopy/demo/registry', origin: 'registry.demo.local/canopy', keysDir, profile: 'demo', accreditorKey, port: 0 })
 */
export async function startDemoRegistry(options: DemoRegistryOptions): Promise<DemoRegistry> {
  assertString(options.dataDir, 'dataDir', 4096);
  assertInteger(options.port, 'port', 0, 65_535);
  const artifacts = await loadArtifacts(options.keysDir);
  const depths = treeDepthsForProfile(options.profile);
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const { key } = loadOrCreateRegistryKey(join(options.dataDir, 'registry.key'), options.origin, options.origin);
  const store = openSqliteStore(join(options.dataDir, 'registry.db'));
  let service: RegistryService;
  try {
    service = await RegistryService.open({
      store,
      signerKey: key.signerKey,
      artifacts,
      depths,
      verifierWorkers: 1,
      accreditorKey: options.accreditorKey,
      checkpointIntervalMs: DEMO_CHECKPOINT_INTERVAL_MS,
      rateLimit: null,
      pinArtifacts: true,
    });
  } catch (e) {
    await store.close();
    throw e;
  }
  let server: Awaited<ReturnType<typeof startRegistryServer>>;
  try {
    server = await startRegistryServer(service, { port: options.port, host: '127.0.0.1', logger: pino({ level: 'silent' }) });
  } catch (e) {
    await service.close();
    throw e;
  }
  let closed: Promise<void> | null = null;
  return {
    url: server.url,
    origin: service.log.origin,
    verifierKey: key.verifierKey,
    client: new RegistryClient({ baseUrl: server.url }),
    close: () =>
      (closed ??= (async () => {
        try {
          await server.close();
        } finally {
          await service.close();
        }
      })()),
  };
}
