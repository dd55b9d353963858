/**
 * `LogReader`: the read side of a registry log that every client-side check needs, and
 * nothing else. Two classes implement it with the same method names and return shapes:
 *
 * - `RegistryClient` (registry/client.ts), against the live HTTP API; it checks shapes,
 *   and the caller checks proofs against a checkpoint it verified;
 * - `TiledLog` (tiled-log-client.ts), against C2SP tlog-tiles at any URL or directory (the
 *   registry itself, a mirror, a static copy); it authenticates every hash and entry
 *   against a checkpoint verified under its policy before returning it.
 *
 * Code written against `LogReader` (an audit's replay, a verifier's inclusion and
 * consistency checks, a follower) therefore works unchanged on either. RegistryClient is
 * not declared to implement it: it satisfies it structurally, and a type-level test
 * (tests/tiles/log-reader.test.ts) keeps it that way.
 *
 *     async function replay(log: LogReader, vkey: string) {
 *       const { checkpoint } = await log.verifiedCheckpoint(vkey);
 *       for await (const e of log.entryRange(0, checkpoint.size)) apply(e);
 *     }
 * @module
 */
import type { VerifiedCheckpoint } from '../client.ts';
import type { SignedCheckpoint } from '../log/checkpoint.ts';
import type { ConsistencyProof, InclusionProof } from '../log/log-proofs.ts';
import type { ServedEntry } from '../log/registry-log.ts';

/** The read methods shared by RegistryClient and TiledLog. */
export interface LogReader {
  /** The latest checkpoint note as served, unverified. */
  checkpointNote(): Promise<string>;
  /** The latest checkpoint, opened with the registry's verifier key. */
  verifiedCheckpoint(registryVkey: string): Promise<VerifiedCheckpoint>;
  /** Signed checkpoints with size ≥ from, oldest first: the history of published roots. */
  checkpoints(options?: { from?: number; limit?: number }): Promise<SignedCheckpoint[]>;
  /** Entries [start, end) (end defaults to a page), and the log size they were read at. */
  entries(start: number, end?: number): Promise<{ size: number; entries: ServedEntry[] }>;
  /** Every entry of [start, end), page by page. */
  entryRange(start: number, end: number): AsyncGenerator<ServedEntry>;
  /** One entry. */
  entry(seq: number): Promise<ServedEntry>;
  /** RFC 9162 inclusion proof of entry `index` in the log of `size` entries. */
  inclusionProof(index: number, size: number): Promise<InclusionProof>;
  /** RFC 9162 consistency proof from the log of `oldSize` entries to the log of `size`. */
  consistencyProof(oldSize: number, size: number): Promise<ConsistencyProof>;
}
