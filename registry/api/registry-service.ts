/**
 * The running registry: the log over a store, the published circuit keys, the proof
 * verifier pool, the authenticator, the auditor records, the API, and a checkpoint timer.
 * `RegistryService.open` assembles them; `close` takes them down in reverse order.
 *
 * Checkpoints. A proof may only use a lots or plots root that a signed checkpoint
 * published, so the registry signs one whenever the log has grown: at start if the log has
 * none for its current size, and then every `checkpointIntervalMs` (default 1 s) if
 * entries were appended since the last. The signer never signs two inconsistent
 * checkpoints (registry/log/checkpoint.ts); a failure to sign is logged and retried at the
 * next tick, and appends go on.
 *
 * Tree depths. The lots tree has the depth of the lot circuits of the profile
 * (`lot_transition` and `capacity_mint` must agree, circuits/circuits.json). The plots tree
 * has the same depth, and `capacity_issue`, the circuit that opens plots leaves, must say
 * so (its `plotsDepth` equals the lots depth in every profile); `treeDepthsForProfile`
 * states this in one place.
 *
 * Artifact pinning. With `pinArtifacts`, the service appends the artifacts entry of its
 * artifacts at open unless the log already pins every one of their keys (artifacts.ts
 * `pinArtifacts`), recorded with the registry operator as submitter; `canopy registry
 * serve` does this, so a fresh registry pins what it verifies from its first entry.
 *
 * Replay protection. Signed requests' nonces are recorded in the store (store-nonces.ts),
 * so several registry processes on one database refuse each other's replays.
 * @module
 */
import { loadConfig, getProfile, type CircuitsConfig } from '../../circuits/toolchain/config.ts';
import { CanopyError } from '../../core/errors.ts';
import { parseSignerKey } from '../../core/note/note-key.ts';
import type { SignedCheckpoint } from '../log/checkpoint.ts';
import type { ProofVerifier } from '../log/proof-verifier.ts';
import { RegistryLog, type RegistryLogOptions } from '../log/registry-log.ts';
import type { TreeDepths } from '../log/registry-trees.ts';
import { ProofVerifierPool } from '../proof-verifier-pool.ts';
import type { RegistryStore } from '../store/store.ts';
import { acceptedKeys, pinArtifacts, type PublishedArtifacts } from './artifacts.ts';
import { Authenticator, parseAccreditorKey, SIGNED_REQUEST_WINDOW_SECONDS } from './authenticator.ts';
import type { RegistryContext } from './context.ts';
import { openApiDocument } from './openapi.ts';
import { RateLimiter, type RateLimiterOptions } from './rate-limiter.ts';
import { RegistryApi } from './registry-api.ts';
import { ROUTES } from './routes.ts';
import { logReadPaths } from '../tiles/log-read-openapi.ts';
import { StoreNonces } from './store-nonces.ts';
import { SubmissionRecords } from './submission-records.ts';

/** Default per-client rate limit: bursts of 200, 100 requests a second on average. */
export const DEFAULT_RATE_LIMIT: RateLimiterOptions = { burst: 200, perSecond: 100 };

/** Default checkpoint interval, ms. */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 1000;

/** The logging the service does (pino's method shapes). */
export interface ServiceLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Options of `RegistryService.open`. */
export interface RegistryServiceOptions {
  store: RegistryStore;
  /** The registry's note signer key; its name is the log origin. */
  signerKey: string;
  /** The accepted circuit keys (artifacts.ts `loadArtifacts`). */
  artifacts: PublishedArtifacts;
  depths: TreeDepths;
  /** The proof verifier (default: a ProofVerifierPool over the artifacts' keys, closed with the service). */
  verifier?: ProofVerifier;
  /** Workers of the default pool. */
  verifierWorkers?: number;
  /** The accreditor's note verifier key, or null (admin routes answer ADMIN_DISABLED). */
  accreditorKey?: string | null;
  /** Checkpoint timer period in ms; 0 signs only at start and on `signCheckpoint()` (default 1000). */
  checkpointIntervalMs?: number;
  /** Per-client rate limit, or null for none (default DEFAULT_RATE_LIMIT). */
  rateLimit?: RateLimiterOptions | null;
  /** Accepted clock skew of signed requests, seconds (default 300). */
  windowSeconds?: number;
  /** Append the artifacts entry of `artifacts` at open unless its keys are pinned already (default false). */
  pinArtifacts?: boolean;
  /** Clock, ms (default Date.now). */
  now?: () => number;
  logger?: ServiceLogger;
  sequencer?: RegistryLogOptions['sequencer'];
}

const SILENT: ServiceLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The tree depths of a circuit profile (see the module comment).
 * @throws {CanopyError} INVALID_INPUT for an unknown profile, or lot circuits that disagree on depth
 * @example treeDepthsForProfile('test') // { lots: 4, plots: 4 }
 */
export function treeDepthsForProfile(profile: string, config: CircuitsConfig = loadConfig()): TreeDepths {
  getProfile(config, profile);
  const depthOf = (id: string): number | undefined => config.circuits[id]?.profiles[profile]?.depth;
  const lots = depthOf('lot_transition');
  const capacity = depthOf('capacity_mint');
  if (lots === undefined) throw new CanopyError('INVALID_INPUT', `circuit lot_transition has no depth for profile ${profile}`);
  if (capacity !== undefined && capacity !== lots) throw new CanopyError('INVALID_INPUT', `lot_transition (depth ${lots}) and capacity_mint (depth ${capacity}) disagree on the lots tree depth in profile ${profile}`);
  const plots = config.circuits.capacity_issue?.profiles[profile]?.plotsDepth;
  if (plots !== undefined && plots !== lots) throw new CanopyError('INVALID_INPUT', `capacity_issue (plotsDepth ${plots}) does not have the plots tree depth ${lots} (the lots tree's) in profile ${profile}`);
  return { lots, plots: lots };
}

/** The registry, assembled. See the module comment. */
export class RegistryService {
  readonly log: RegistryLog;
  readonly api: RegistryApi;
  readonly ctx: RegistryContext;
  readonly verifier: ProofVerifier;
  readonly #ownedPool: ProofVerifierPool | null;
  readonly #logger: ServiceLogger;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  #signing: Promise<unknown> = Promise.resolve();

  private constructor(log: RegistryLog, api: RegistryApi, ctx: RegistryContext, verifier: ProofVerifier, ownedPool: ProofVerifierPool | null, logger: ServiceLogger, intervalMs: number) {
    this.log = log;
    this.api = api;
    this.ctx = ctx;
    this.verifier = verifier;
    this.#ownedPool = ownedPool;
    this.#logger = logger;
    this.#intervalMs = intervalMs;
  }

  /**
   * Opens the log, starts the verifier pool (unless given a verifier), signs a checkpoint
   * if the log has none for its size, and starts the checkpoint timer.
   * @throws {TypeError|RangeError} for a malformed option; {CanopyError} KEY_MALFORMED (signer
   *   or accreditor key), LOG_INCONSISTENT (a store that disagrees with what was signed);
   *   whatever the store or the pool throws
   * @example const service = await RegistryService.open({ store, signerKey, artifacts, depths })
   */
  static async open(options: RegistryServiceOptions): Promise<RegistryService> {
    if (typeof options !== 'object' || options === null) throw new TypeError(`"options" expected RegistryServiceOptions, got ${String(options)}`);
    const logger = options.logger ?? SILENT;
    const now = options.now ?? Date.now;
    const accreditor = options.accreditorKey == null ? null : parseAccreditorKey(options.accreditorKey);
    const intervalMs = options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
    if (!Number.isSafeInteger(intervalMs) || intervalMs < 0) throw new RangeError(`"options.checkpointIntervalMs" expected integer ≥ 0, got ${String(intervalMs)}`);
    const rateLimiter = options.rateLimit === null ? null : new RateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT);
    const pool = options.verifier === undefined ? await ProofVerifierPool.start({ keys: acceptedKeys(options.artifacts), workers: options.verifierWorkers }) : null;
    const verifier = options.verifier ?? pool!;
    let log: RegistryLog;
    try {
      // The note key's name is the log's origin.
      const origin = parseSignerKey(options.signerKey).name;
      log = await RegistryLog.open({ store: options.store, verifier, origin, signerKey: options.signerKey, depths: options.depths, sequencer: options.sequencer, now });
    } catch (e) {
      await pool?.close();
      throw e;
    }
    let openapi: unknown = null;
    const windowSeconds = options.windowSeconds ?? SIGNED_REQUEST_WINDOW_SECONDS;
    const nonces = new StoreNonces(options.store, windowSeconds, { onSweepError: (error) => logger.warn({ err: error }, 'sweeping expired nonces failed') });
    const ctx: RegistryContext = {
      log,
      artifacts: options.artifacts,
      authenticator: new Authenticator({ store: options.store, accreditor, windowSeconds, nonces, now }),
      submissions: new SubmissionRecords(options.store),
      verifierStats: () => pool?.stats() ?? null,
      openapi: () =>
        (openapi ??= openApiDocument(
          ROUTES,
          { title: `Canopy registry ${log.origin}`, version: '1', description: 'Append-only log of Canopy entries with signed checkpoints; see docs/registry-api.md. The tiles, checkpoint history and follow routes: docs/tiles-and-follow.md.' },
          { extraPaths: logReadPaths() },
        )),
      now,
    };
    const api = new RegistryApi(ctx, ROUTES, { rateLimiter, onFault: (error, req) => logger.error({ err: error, method: req.method, target: req.target.slice(0, 200) }, 'request failed') });
    const service = new RegistryService(log, api, ctx, verifier, pool, logger, intervalMs);
    try {
      if (options.pinArtifacts === true) {
        const receipt = await pinArtifacts(log, options.artifacts, { keyId: log.origin, kind: 'operator', role: 'operator', submittedAt: Math.floor(now()) });
        if (receipt !== null) logger.info({ sequence: receipt.sequence, circuits: options.artifacts.circuits.map((c) => c.circuit) }, 'artifacts pinned');
      }
      await service.#signIfGrown();
    } catch (e) {
      await service.close();
      throw e;
    }
    service.#schedule();
    logger.info({ origin: log.origin, store: options.store.kind, circuits: options.artifacts.circuits.map((c) => c.circuit), accreditor: accreditor?.keyId ?? null }, 'registry open');
    return service;
  }

  /**
   * Signs a checkpoint now if the log grew since the last one; returns the latest.
   * @throws {CanopyError} LOG_INCONSISTENT; store failures
   * @example const { size } = await service.signCheckpoint()
   */
  async signCheckpoint(): Promise<SignedCheckpoint> {
    await this.#signIfGrown();
    const latest = await this.log.latestCheckpoint();
    // Invariant: #signIfGrown leaves a checkpoint behind.
    if (latest === null) throw new Error('canopy: bad math in RegistryService.signCheckpoint: no checkpoint after signing');
    return latest;
  }

  /**
   * Stops the timer, waits for a signing in progress, closes the pool it started and the store.
   * @throws whatever the store throws when closing
   * @example await service.close()
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    await this.#signing.catch(() => undefined);
    await this.#ownedPool?.close();
    await this.log.close();
  }

  // One signing at a time: the timer and signCheckpoint() share this chain.
  #signIfGrown(): Promise<void> {
    const run = this.#signing.catch(() => undefined).then(async () => {
      const head = await this.log.store.head();
      if (head.checkpointSize === null || head.size > head.checkpointSize) {
        const c = await this.log.signCheckpoint();
        this.#logger.info({ size: c.size, lotsSize: c.lotsSize, plotsSize: c.plotsSize }, 'checkpoint signed');
      }
    });
    this.#signing = run;
    return run;
  }

  #schedule(): void {
    if (this.#intervalMs === 0 || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#signIfGrown()
        .catch((e: unknown) => this.#logger.error({ err: e }, 'checkpoint signing failed'))
        .finally(() => this.#schedule());
    }, this.#intervalMs);
    this.#timer.unref();
  }
}
