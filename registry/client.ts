/**
 * A typed client of the registry HTTP API (docs/registry-api.md), for the CLI, the
 * verifier and the auditor. It speaks plain `fetch`, signs requests that need it
 * (registry/api/request-signature.ts), checks every response against the API's schemas,
 * and turns every error response into an `ApiError` carrying the server's status and code.
 *
 * What it does not do is trust the registry: a response that parses is only well-formed.
 * `verifiedCheckpoint` opens the checkpoint note with the registry's verifier key; proofs
 * are checked by the caller against such a checkpoint (registry/log/log-proofs.ts
 * `checkInclusionProof`, `checkConsistencyProof`; core/merkle `verifyMerkleProof`).
 *
 *     const client = new RegistryClient({ baseUrl: 'http://127.0.0.1:8080' });
 *     const { checkpoint } = await client.verifiedCheckpoint(registryVkey);
 *     const [receipt] = await client.submit([entry], { keyId: 'mill-7', signerKey });
 *     const proof = await client.inclusionProof(receipt.sequence, checkpoint.size);
 * @module
 */
import type * as z from 'zod';
import { assertInteger, assertString } from '../core/assert.ts';
import { CanopyError } from '../core/errors.ts';
import { fieldToString } from '../core/field.ts';
import { type Checkpoint, parseCheckpoint } from '../core/note/checkpoint.ts';
import { noteVerifier } from '../core/note/note-key.ts';
import { openNote } from '../core/note/signed-note.ts';
import type { MerkleProofJson } from '../core/merkle/merkle-proof.ts';
import { ApiError } from './api/api-error.ts';
import type { PublishedArtifacts } from './api/artifacts.ts';
import { signRequest } from './api/request-signature.ts';
import * as s from './api/schemas.ts';
import type { SubmissionRecord } from './api/submission-records.ts';
import type { SignedCheckpoint } from './log/checkpoint.ts';
import type { ArtifactsEntry, LogEntry, PartyRole } from './log/entry.ts';
import type { ConsistencyProof, InclusionProof } from './log/log-proofs.ts';
import type { ServedEntry } from './log/registry-log.ts';
import type { AppendReceipt } from './log/sequencer.ts';
import type { PartyRecord, TreeName } from './store/store.ts';

/** Who signs a request: a key id (party id, or the accreditor's key name) and its note signer key. */
export interface RequestSigner {
  keyId: string;
  /** "PRIVATE+KEY+<name>+<hash>+<base64>" */
  signerKey: string;
}

/** Options of `RegistryClient`. */
export interface RegistryClientOptions {
  /** e.g. "http://127.0.0.1:8080" (a path prefix is kept). */
  baseUrl: string;
  /** Per-request time limit, ms (default 30,000). */
  timeoutMs?: number;
  /** The fetch to use (default globalThis.fetch). */
  fetch?: typeof fetch;
}

/** What `/healthz` answers. */
export interface RegistryHealth {
  status: 'ok';
  origin: string;
  store: string;
  size: number;
  checkpointSize: number | null;
  verifier: { workers: number; queued: number; busy: number; verified: number; replaced: number } | null;
}

/** Where a leaf value sits in a tree (`GET /v1/trees/{tree}/leaves/{value}`). */
export interface TreeLeafRecord {
  tree: TreeName;
  /** The leaf, canonical decimal. */
  value: string;
  /** The lowest index holding the value. */
  leafIndex: number;
  /** The log entry that appended that leaf. */
  sequence: number;
}

/** Whether a nullifier is spent (`GET /v1/nullifiers/{value}`). */
export interface NullifierRecord {
  /** The nullifier, canonical decimal. */
  nullifier: string;
  spent: boolean;
  /** The log entry that spent it, or null. */
  sequence: number | null;
}

/** The dataset entry registering a root (`GET /v1/datasets/{root}`). */
export interface DatasetRecord {
  /** The dataset's Poseidon root, canonical decimal. */
  datasetRoot: string;
  /** The dataset entry's sequence number. */
  sequence: number;
  name: string;
  /** SHA-256 of the dataset's manifest file, 64 lowercase hex. */
  manifestSha256: string;
}

/** One tree of `GET /v1/roots`. */
export interface TreeRoots {
  leaves: number;
  /** Canonical decimal. */
  root: string;
  /** The depth the registry runs the tree at (unsigned). */
  depth: number;
}

/** A witness the registry accepts cosignatures from: an active auditor and its cosigner key. */
export interface Witness {
  partyId: string;
  /** C2SP cosignature/v1 verifier key (type 0x04). */
  cosignerKey: string;
}

/** A checkpoint opened with the registry's key. */
export interface VerifiedCheckpoint {
  note: string;
  checkpoint: Checkpoint;
  /** Names of the keys whose signatures verified (the registry's first, then any witnesses given). */
  signedBy: string[];
}

/**
 * Opens a checkpoint note with the registry's verifier key (and optional witness keys):
 * the registry's signature must verify and the origin must be the key's name.
 * @throws {CanopyError} NOTE_MALFORMED, SIGNATURE_INVALID, NOTE_UNVERIFIED (not signed by
 *   that key, or an origin other than the key's name), KEY_MALFORMED, CHECKPOINT_MALFORMED
 * @example const { checkpoint } = verifyCheckpointNote(note, registryVkey)
 */
export function verifyCheckpointNote(note: string, registryVkey: string): VerifiedCheckpoint {
  assertString(note, 'note', 1 << 20);
  const verifier = noteVerifier(registryVkey);
  const opened = openNote(note, [verifier]);
  const checkpoint = parseCheckpoint(opened.text);
  if (checkpoint.origin !== verifier.name) {
    throw new CanopyError('NOTE_UNVERIFIED', `checkpoint origin ${JSON.stringify(checkpoint.origin)} is not the name of the registry key ${JSON.stringify(verifier.name)}`);
  }
  return { note, checkpoint, signedBy: opened.sigs.map((sig) => sig.name) };
}

/** A client of one registry. See the module comment. */
export class RegistryClient {
  readonly baseUrl: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  /**
   * @throws {TypeError|RangeError} if the base URL is not http(s) or an option is malformed
   * @example new RegistryClient({ baseUrl: 'http://127.0.0.1:8080' })
   */
  constructor(options: RegistryClientOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError(`"options" expected RegistryClientOptions, got ${String(options)}`);
    assertString(options.baseUrl, 'options.baseUrl', 2048);
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError(`"options.baseUrl" expected an http(s) URL, got ${JSON.stringify(options.baseUrl)}`);
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    assertInteger(this.#timeoutMs, 'options.timeoutMs', 1, 3_600_000);
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  /**
   * The latest checkpoint note as served (`GET /checkpoint`), unverified.
   * @throws {ApiError} NOT_FOUND before the first checkpoint; network failures
   * @example const note = await client.checkpointNote()
   */
  async checkpointNote(): Promise<string> {
    return this.#text('/checkpoint');
  }

  /**
   * The latest checkpoint, opened with the registry's verifier key.
   * @throws as `checkpointNote` and `verifyCheckpointNote`
   * @example const { checkpoint } = await client.verifiedCheckpoint(vkey)
   */
  async verifiedCheckpoint(registryVkey: string): Promise<VerifiedCheckpoint> {
    return verifyCheckpointNote(await this.checkpointNote(), registryVkey);
  }

  /**
   * Signed checkpoints with size ≥ from, oldest first (`GET /v1/checkpoints`).
   * @throws {ApiError}
   * @example await client.checkpoints({ from: 0, limit: 10 })
   */
  async checkpoints(options: { from?: number; limit?: number } = {}): Promise<SignedCheckpoint[]> {
    const r = await this.#json('GET', `/v1/checkpoints${query({ from: options.from, limit: options.limit })}`, s.checkpointsResponseSchema);
    return r.checkpoints as SignedCheckpoint[];
  }

  /**
   * A page of entries [start, end) (`GET /v1/entries`), and the log size when read.
   * @throws {ApiError} NOT_FOUND beyond the log; INVALID_QUERY for a range longer than a page
   * @example const { entries, size } = await client.entries(0)
   */
  async entries(start: number, end?: number): Promise<{ size: number; entries: ServedEntry[] }> {
    return (await this.#json('GET', `/v1/entries${query({ start, end })}`, s.entriesResponseSchema)) as { size: number; entries: ServedEntry[] };
  }

  /**
   * Every entry of [start, end), page by page.
   * @throws {ApiError}
   * @example for await (const e of client.entryRange(0, size)) replay(e)
   */
  async *entryRange(start: number, end: number): AsyncGenerator<ServedEntry> {
    assertInteger(start, 'start');
    assertInteger(end, 'end', start);
    for (let at = start; at < end; ) {
      const page = await this.entries(at, Math.min(end, at + s.MAX_ENTRIES_PAGE));
      if (page.entries.length === 0) throw new ApiError('RESPONSE_MALFORMED', `the registry returned no entries at ${at}`, { status: 0 });
      for (const e of page.entries) yield e;
      at += page.entries.length;
    }
  }

  /**
   * One entry (`GET /v1/entries/{seq}`).
   * @throws {ApiError} NOT_FOUND
   * @example (await client.entry(3)).entry.type
   */
  async entry(seq: number): Promise<ServedEntry> {
    assertInteger(seq, 'seq');
    return (await this.#json('GET', `/v1/entries/${seq}`, s.servedEntrySchema)) as ServedEntry;
  }

  /**
   * Inclusion proof of entry `index` in the log of `size` entries.
   * @throws {ApiError} INVALID_INPUT unless index < size ≤ log size
   * @example await client.inclusionProof(receipt.sequence, checkpoint.size)
   */
  async inclusionProof(index: number, size: number): Promise<InclusionProof> {
    return this.#json('GET', `/v1/proofs/inclusion${query({ index, size })}`, s.inclusionProofSchema);
  }

  /**
   * Consistency proof from the log of `oldSize` entries to the log of `size`.
   * @throws {ApiError} INVALID_INPUT unless oldSize ≤ size ≤ log size
   * @example await client.consistencyProof(older.size, newer.size)
   */
  async consistencyProof(oldSize: number, size: number): Promise<ConsistencyProof> {
    return this.#json('GET', `/v1/proofs/consistency${query({ old: oldSize, size })}`, s.consistencyProofSchema);
  }

  /**
   * Poseidon proof of a lots or plots leaf against the root the checkpoint of `size` published.
   * @throws {ApiError} NOT_FOUND (no checkpoint of that size); INVALID_INPUT (leaf not in the tree then)
   * @example await client.treeProof('lots', receipt.lotsLeafIndexes[0], checkpoint.size)
   */
  async treeProof(tree: TreeName, leafIndex: number, size: number): Promise<MerkleProofJson> {
    if (tree !== 'lots' && tree !== 'plots') throw new RangeError(`"tree" expected "lots" or "plots", got ${JSON.stringify(tree)}`);
    return this.#json('GET', `/v1/trees/${tree}/proof${query({ leafIndex, size })}`, s.merkleProofSchema);
  }

  /**
   * Where a leaf value sits in the lots or plots tree, and which entry appended it.
   * @throws {TypeError|RangeError} for a bad tree or a value that is not a field element;
   *   {ApiError} NOT_FOUND if no leaf of the tree has that value
   * @example (await client.treeLeaf('lots', commitment)).leafIndex
   */
  async treeLeaf(tree: TreeName, value: bigint): Promise<TreeLeafRecord> {
    if (tree !== 'lots' && tree !== 'plots') throw new RangeError(`"tree" expected "lots" or "plots", got ${JSON.stringify(tree)}`);
    return this.#json('GET', `/v1/trees/${tree}/leaves/${fieldToString(value, 'value')}`, s.treeLeafResponseSchema);
  }

  /**
   * Whether a nullifier (or capacity issuance tag) is spent, and by which entry.
   * @throws {TypeError|RangeError} for a value that is not a field element; {ApiError}
   * @example (await client.nullifier(n)).spent
   */
  async nullifier(value: bigint): Promise<NullifierRecord> {
    return this.#json('GET', `/v1/nullifiers/${fieldToString(value, 'value')}`, s.nullifierResponseSchema);
  }

  /**
   * The witnesses: active auditors' cosigner keys (what a verifier demanding k cosignatures opens notes with).
   * @throws {ApiError}
   * @example (await client.witnesses()).map((w) => w.cosignerKey)
   */
  async witnesses(): Promise<Witness[]> {
    return (await this.#json('GET', '/v1/witnesses', s.witnessesResponseSchema)).witnesses;
  }

  /**
   * Hands the registry a checkpoint note carrying the auditor's cosignatures
   * (core/note `cosignatureSigner`), signed by the auditor; the registry merges them into
   * the stored checkpoint and serves them from then on.
   * @returns the checkpoint with the merged cosignatures
   * @throws {ApiError} ROLE_FORBIDDEN unless an auditor; NOTE_MALFORMED; COSIGNATURE_INVALID; NOT_FOUND; 401/403
   * @example await client.cosign(signNote(openNote(note, [registry]), [cosignatureSigner(auditor.signerKey)]), auditor)
   */
  async cosign(note: string, auditor: RequestSigner): Promise<SignedCheckpoint> {
    assertString(note, 'note', s.MAX_COSIGNED_NOTE_LENGTH);
    return this.#json('POST', '/v1/checkpoints/cosignatures', s.signedCheckpointSchema, { body: { note }, signer: auditor });
  }

  /**
   * The roots of the latest checkpoint, and the trees' depths.
   * @throws {ApiError} NOT_FOUND before the first checkpoint
   * @example (await client.roots()).lots.depth
   */
  async roots(): Promise<{ checkpointSize: number; lots: TreeRoots; plots: TreeRoots }> {
    return this.#json('GET', '/v1/roots', s.rootsResponseSchema);
  }

  /**
   * The dataset entry registering `root` (the registry's word: prove entry `sequence`
   * included under a verified checkpoint before relying on it).
   * @throws {TypeError|RangeError} for a value that is not a field element; {ApiError} NOT_FOUND if no dataset entry registers it
   * @example (await client.dataset(root)).manifestSha256
   */
  async dataset(root: bigint): Promise<DatasetRecord> {
    return this.#json('GET', `/v1/datasets/${fieldToString(root, 'root')}`, s.datasetResponseSchema);
  }

  /**
   * The registry's note verifier key and origin as it serves them: trust-on-first-use
   * material only. Pin the key from an independent source; compare this answer with the pin.
   * @throws {ApiError}
   * @example const { verifierKey } = await client.registryKey()
   */
  async registryKey(): Promise<{ origin: string; verifierKey: string }> {
    return this.#json('GET', '/v1/registry-key', s.registryKeyResponseSchema);
  }

  /**
   * The accepted circuit keys and the setup manifest hash.
   * @throws {ApiError}
   * @example (await client.artifacts()).circuits.map((c) => c.vkeyHash)
   */
  async artifacts(): Promise<PublishedArtifacts> {
    return (await this.#json('GET', '/v1/artifacts', s.artifactsResponseSchema)) as unknown as PublishedArtifacts;
  }

  /**
   * A registered party.
   * @throws {ApiError} NOT_FOUND
   * @example (await client.party('mill-7')).revokedAt
   */
  async party(partyId: string): Promise<PartyRecord> {
    assertString(partyId, 'partyId', 128);
    return this.#json('GET', `/v1/parties/${encodeURIComponent(partyId)}`, s.partyResponseSchema);
  }

  /**
   * Liveness and counters.
   * @throws {ApiError}
   * @example (await client.health()).size
   */
  async health(): Promise<RegistryHealth> {
    return this.#json('GET', '/healthz', s.healthResponseSchema);
  }

  /**
   * The OpenAPI document.
   * @throws {ApiError}
   * @example Object.keys((await client.openapi()).paths)
   */
  async openapi(): Promise<{ openapi: '3.1.0'; paths: Record<string, unknown> } & Record<string, unknown>> {
    return this.#json('GET', '/openapi.json', s.openApiDocumentSchema);
  }

  /**
   * Submits entries, signed by a registered party; resolves once they are durably stored.
   * @throws {ApiError} 401/403 (authentication), 400 (malformed), 409/422 (refused; `index` names the entry)
   * @example const [receipt] = await client.submit([entry], { keyId: 'mill-7', signerKey })
   */
  async submit(entries: readonly LogEntry[], signer: RequestSigner): Promise<AppendReceipt[]> {
    return (await this.#json('POST', '/v1/entries', s.receiptsResponseSchema, { body: { entries }, signer })).receipts;
  }

  /**
   * Registers a party, signed by the accreditor.
   * @throws {ApiError} PARTY_EXISTS, KEY_IN_USE (409), ADMIN_DISABLED, 401/403
   * @example await client.addParty({ partyId: 'mill-7', role: 'supplier', publicKey }, accreditor)
   */
  async addParty(party: { partyId: string; role: PartyRole; publicKey: string }, accreditor: RequestSigner): Promise<AppendReceipt> {
    const r = await this.#json('POST', '/v1/admin/parties', s.receiptsResponseSchema, { body: party, signer: accreditor });
    return r.receipts[0]!;
  }

  /**
   * Revokes a party, signed by the accreditor.
   * @throws {ApiError} PARTY_UNKNOWN, PARTY_REVOKED (409), ADMIN_DISABLED, 401/403
   * @example await client.revokeParty('mill-7', 'left the scheme', accreditor)
   */
  async revokeParty(partyId: string, reason: string, accreditor: RequestSigner): Promise<AppendReceipt> {
    assertString(partyId, 'partyId', 128);
    const r = await this.#json('POST', `/v1/admin/parties/${encodeURIComponent(partyId)}/revoke`, s.receiptsResponseSchema, { body: { reason }, signer: accreditor });
    return r.receipts[0]!;
  }

  /**
   * Pins circuit artifacts (an artifacts entry), signed by the accreditor.
   * @throws {ApiError} ENTRY_MALFORMED, ADMIN_DISABLED, 401/403
   * @example await client.addArtifacts(artifactsEntry(await loadArtifacts(dir)).body, accreditor)
   */
  async addArtifacts(body: ArtifactsEntry['body'], accreditor: RequestSigner): Promise<AppendReceipt> {
    const r = await this.#json('POST', '/v1/admin/artifacts', s.receiptsResponseSchema, { body, signer: accreditor });
    return r.receipts[0]!;
  }

  /**
   * Who submitted entries [start, end), signed by a party with the auditor role.
   * @throws {ApiError} ROLE_FORBIDDEN unless an auditor; 401/403
   * @example await client.submissions(0, 100, auditor)
   */
  async submissions(start: number, end: number | undefined, auditor: RequestSigner): Promise<{ submissions: SubmissionRecord[]; unrecorded: number[] }> {
    return this.#json('GET', `/v1/audit/submissions${query({ start, end })}`, s.submissionsResponseSchema, { signer: auditor });
  }

  /**
   * Polls `/checkpoint` until the latest checkpoint covers at least `minSize` entries.
   * @returns the note of that checkpoint (unverified)
   * @throws {ApiError} UNAVAILABLE (status 0) after timeoutMs
   * @example await client.waitForCheckpoint(receipt.sequence + 1)
   */
  async waitForCheckpoint(minSize: number, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<SignedCheckpoint> {
    assertInteger(minSize, 'minSize');
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    for (;;) {
      const [latest] = (await this.checkpoints({ from: minSize, limit: 1 }));
      if (latest !== undefined) return latest;
      if (Date.now() > deadline) throw new ApiError('UNAVAILABLE', `no checkpoint of size ≥ ${minSize} within ${options.timeoutMs ?? 30_000} ms`, { status: 0 });
      await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
    }
  }

  async #text(target: string): Promise<string> {
    const res = await this.#send('GET', target, null, undefined);
    return res.text();
  }

  async #json<T>(method: 'GET' | 'POST', target: string, schema: z.ZodType<T>, options: { body?: unknown; signer?: RequestSigner } = {}): Promise<T> {
    const body = options.body === undefined ? null : new TextEncoder().encode(JSON.stringify(options.body));
    const res = await this.#send(method, target, body, options.signer);
    let json: unknown;
    try {
      json = await res.json();
    } catch (e) {
      throw new ApiError('RESPONSE_MALFORMED', `${method} ${target}: the response is not JSON`, { status: res.status, cause: e });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ApiError('RESPONSE_MALFORMED', `${method} ${target}: unexpected response: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`, { status: res.status });
    return parsed.data;
  }

  async #send(method: string, target: string, body: Uint8Array | null, signer: RequestSigner | undefined): Promise<Response> {
    const headers: Record<string, string> = {};
    if (body !== null) headers['content-type'] = 'application/json';
    // The signed target is the path as the server sees it: the base URL's path prefix included.
    const prefix = new URL(this.baseUrl).pathname.replace(/\/+$/, '');
    if (signer !== undefined) Object.assign(headers, signRequest({ method, target: `${prefix}${target}`, body, keyId: signer.keyId, signerKey: signer.signerKey }));
    const res = await this.#fetch(`${this.baseUrl}${target}`, { method, headers, body: body === null ? undefined : (body as Uint8Array<ArrayBuffer>), signal: AbortSignal.timeout(this.#timeoutMs) });
    if (res.ok) return res;
    let error: { code?: unknown; message?: unknown; index?: unknown } = {};
    try {
      error = ((await res.json()) as { error?: typeof error }).error ?? {};
    } catch {
      // Not an API error body (a proxy's page): keep the status alone.
    }
    const code = typeof error.code === 'string' ? error.code : `HTTP_${res.status}`;
    const message = typeof error.message === 'string' ? error.message : `${method} ${target} answered ${res.status}`;
    throw new ApiError(code, message, { status: res.status, index: typeof error.index === 'number' ? error.index : undefined });
  }
}

function query(params: Record<string, number | undefined>): string {
  const parts = Object.entries(params)
    .filter((e): e is [string, number] => e[1] !== undefined)
    .map(([k, v]) => {
      assertInteger(v, k);
      return `${k}=${v}`;
    });
  return parts.length ? `?${parts.join('&')}` : '';
}
