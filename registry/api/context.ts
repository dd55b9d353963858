/**
 * What the registry's handlers work with: the log, the published artifacts, the
 * authenticator, the auditor records (a reader: the store writes them with the entries),
 * and the clock. Built by registry-service.ts (or by a
 * test, with any store and verifier); handlers receive it with their validated input.
 * @module
 */
import type { RegistryLog } from '../log/registry-log.ts';
import type { NonceClaim } from '../store/store.ts';
import type { VerifierPoolStats } from '../proof-verifier-pool.ts';
import type { PublishedArtifacts } from './artifacts.ts';
import type { Authenticator, Principal } from './authenticator.ts';
import type { ApiResponse } from './http.ts';
import type { SubmissionRecords } from './submission-records.ts';

/** The registry as its handlers see it. */
export interface RegistryContext {
  log: RegistryLog;
  artifacts: PublishedArtifacts;
  authenticator: Authenticator;
  submissions: SubmissionRecords;
  /** Counters of the proof verifier, or null when it is not a pool. */
  verifierStats: () => VerifierPoolStats | null;
  /** The OpenAPI document served at /openapi.json. */
  openapi: () => unknown;
  /** Clock, milliseconds. */
  now: () => number;
}

/** A handler's validated input. */
export interface HandlerInput<P = unknown, Q = unknown, B = unknown> {
  params: P;
  query: Q;
  body: B;
  /** Who signed the request (signed routes only). */
  principal: Principal | null;
  /**
   * On routes whose nonce is recorded with their append (`Route.nonce`): the claim to
   * pass to `log.append`, or null when the nonce was recorded already. Null elsewhere.
   */
  nonce?: NonceClaim | null;
}

/** A route handler: validated input in, response out. */
export type RouteHandler<P = unknown, Q = unknown, B = unknown> = (ctx: RegistryContext, input: HandlerInput<P, Q, B>) => Promise<ApiResponse>;
