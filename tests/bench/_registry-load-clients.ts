/**
 * Worker thread body of registry-load.bench.ts (internal): the clients of the load test.
 * They run in a thread of their own so that their signing, proof checking and JSON work
 * does not share the event loop of the registry server under test.
 *
 *     workerData: LoadPlan
 *     out (once): { outcome: LoadOutcome }   the load ran (its figures and failures inside)
 *                 { fault: string }          the clients themselves broke
 *
 * Three open-loop streams, each at a fixed rate from t = 0 (a request is due every 1/rate
 * seconds whatever the answers do; at most `maxInFlight` of a stream are outstanding, so an
 * overloaded server slows the stream down instead of piling requests up):
 *
 *     write  signed POST /v1/entries of one dataset entry, round robin over the publishers
 *     read   in turn: GET /v1/entries/{seq} of an acknowledged entry (leaf hash checked),
 *            a page of entries (leaf hashes checked), /checkpoint (note opened with the
 *            registry key), an inclusion proof of an acknowledged entry (checked against
 *            the latest verified checkpoint and the entry's bytes), a consistency proof
 *            between two verified checkpoints (checked against both roots)
 *     bad    in turn, each with the answer it must get: a flipped signature bit (401
 *            SIGNATURE_INVALID), an acknowledged request sent again byte for byte (401
 *            NONCE_REPLAYED), a signed body that is not JSON (400 BODY_NOT_JSON), a signed
 *            body breaking the schema (400 INVALID_BODY), a supplier submitting a dataset
 *            (403 ROLE_FORBIDDEN)
 *
 * Anything else (a failed request, a wrong answer, a check that fails) is "unexpected".
 * The load stops at `seconds` or after `maxRequests` requests, whichever comes first; the
 * outstanding requests are then awaited (each has a time limit).
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { sha256 } from '@noble/hashes/sha2.js';
import { bug } from '../../core/errors.ts';
import { FIELD_ORDER } from '../../core/field.ts';
import type { Checkpoint } from '../../core/note/checkpoint.ts';
import { signRequest } from '../../registry/api/request-signature.ts';
import { RegistryClient, verifyCheckpointNote, type RequestSigner } from '../../registry/client.ts';
import { encodeEntry, entryLeafHash, type LogEntry } from '../../registry/log/entry.ts';
import { checkConsistencyProof, checkInclusionProof } from '../../registry/log/log-proofs.ts';

/** The stream a request kind belongs to. */
export type Stream = 'write' | 'read' | 'bad';

/** What the clients are to do. */
export interface LoadPlan {
  /** The registry, e.g. "http://127.0.0.1:41234". */
  url: string;
  /** The registry's note verifier key (checkpoints are opened with it). */
  registryKey: string;
  /** Registered publishers: they submit the dataset entries. */
  publishers: RequestSigner[];
  /** A registered supplier: it may not submit datasets (the role-forbidden request). */
  supplier: RequestSigner;
  seconds: number;
  /** Requests per second of each stream. */
  rates: Record<Stream, number>;
  /** Most outstanding requests of each stream. */
  maxInFlight: Record<Stream, number>;
  /** Most requests in all. */
  maxRequests: number;
  /** Per-request time limit, ms. */
  timeoutMs: number;
  /** Makes this run's dataset roots its own. */
  label: string;
}

/** An entry the registry acknowledged (201), as acknowledged. */
export interface AckedEntry {
  sequence: number;
  leafHash: string;
  entry: LogEntry;
}

/** Latencies and outcomes of one request kind. */
export interface KindStats {
  kind: string;
  stream: Stream;
  requests: number;
  /** Answered as they must be (2xx for writes and reads, the expected 4xx for bad requests). */
  ok: number;
  unexpected: number;
  latenciesMs: number[];
}

/** Completions in one second of the load, by the second they completed in. */
export interface SecondStats {
  second: number;
  writes: number;
  reads: number;
  bad: number;
  unexpected: number;
}

/** What the load did. */
export interface LoadOutcome {
  /** Length of the load window (requests were started within it), s. */
  seconds: number;
  /** Time to settle the requests outstanding at its end, s. */
  drainSeconds: number;
  acked: AckedEntry[];
  kinds: KindStats[];
  perSecond: SecondStats[];
  unexpected: number;
  /** The first unexpected outcomes, described. */
  unexpectedSamples: string[];
  /** Requests started, and requests due by the rates, per stream. */
  sent: Record<Stream, number>;
  due: Record<Stream, number>;
}

/** The worker's one message. */
export type LoadReply = { outcome: LoadOutcome } | { fault: string };

const READ_KINDS = ['entry', 'entries', 'checkpoint', 'inclusion', 'consistency'] as const;
const BAD_KINDS = ['bad-signature', 'replayed-nonce', 'malformed-json', 'invalid-body', 'role-forbidden'] as const;
const MAX_SAMPLES = 20;
/** Acknowledged requests kept for replaying: the most recent ones, well inside the signature window. */
const REPLAYABLE = 64;
const CHECKPOINTS_KEPT = 64;

interface CapturedRequest {
  url: string;
  headers: Record<string, string>;
  body: Uint8Array<ArrayBuffer>;
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** An error's message with its causes (fetch reports the socket's failure only as the cause). */
function describe(e: unknown): string {
  const parts: string[] = [];
  for (let c: unknown = e, depth = 0; c !== undefined && c !== null && depth < 4; depth++) {
    parts.push(c instanceof Error ? `${(c as { code?: string }).code ?? c.name}: ${c.message}` : String(c));
    c = c instanceof Error ? c.cause : undefined;
  }
  return parts.join(' ← ');
}

/** A non-zero field element of its own for each label. */
function fieldFor(label: string): bigint {
  let v = 0n;
  for (const b of sha256(new TextEncoder().encode(label))) v = (v << 8n) | BigInt(b);
  return (v % (FIELD_ORDER - 1n)) + 1n;
}

function datasetEntry(label: string): LogEntry {
  return { type: 'dataset', version: 1, body: { datasetRoot: fieldFor(label).toString(), manifestSha256: Buffer.from(sha256(new TextEncoder().encode(`manifest ${label}`))).toString('hex'), name: label } };
}

/** Runs the plan; never rejects for a failed request (those are counted), only for a fault of its own. */
async function runLoad(plan: LoadPlan): Promise<LoadOutcome> {
  const replayable: CapturedRequest[] = [];
  // The writers' fetch keeps each acknowledged request exactly as sent, for the replays.
  const capturing: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    if (init?.method === 'POST' && res.status === 201) {
      replayable.push({ url: String(input), headers: { ...(init.headers as Record<string, string>) }, body: init.body as Uint8Array<ArrayBuffer> });
      if (replayable.length > REPLAYABLE) replayable.shift();
    }
    return res;
  };
  const writers = plan.publishers.map(() => new RegistryClient({ baseUrl: plan.url, timeoutMs: plan.timeoutMs, fetch: capturing }));
  const reader = new RegistryClient({ baseUrl: plan.url, timeoutMs: plan.timeoutMs });

  const acked: AckedEntry[] = [];
  const kinds = new Map<string, KindStats>();
  const perSecond: SecondStats[] = [];
  const samples: string[] = [];
  let unexpected = 0;
  const checkpoints: Checkpoint[] = [];
  let latest: Checkpoint | null = null;

  const noteCheckpoint = (note: string) => {
    const { checkpoint } = verifyCheckpointNote(note, plan.registryKey);
    if (latest !== null && checkpoint.size < latest.size) return;
    if (latest === null || checkpoint.size > latest.size) {
      checkpoints.push(checkpoint);
      if (checkpoints.length > CHECKPOINTS_KEPT) checkpoints.shift();
    }
    latest = checkpoint;
  };
  noteCheckpoint(await reader.checkpointNote());

  const randomAcked = (below: number): AckedEntry | null => {
    for (let attempt = 0; attempt < 8 && acked.length > 0; attempt++) {
      const a = acked[Math.floor(Math.random() * acked.length)]!;
      if (a.sequence < below) return a;
    }
    return null;
  };

  /** Sends a signed request as given; returns status and error code. */
  const signedPost = async (signer: RequestSigner, body: string, alter?: (headers: Record<string, string>) => void): Promise<{ status: number; code: string | undefined }> => {
    const bytes = new TextEncoder().encode(body);
    const headers = { 'content-type': 'application/json', ...signRequest({ method: 'POST', target: '/v1/entries', body: bytes, keyId: signer.keyId, signerKey: signer.signerKey }) };
    alter?.(headers);
    return answer(await fetch(`${plan.url}/v1/entries`, { method: 'POST', headers, body: bytes, signal: AbortSignal.timeout(plan.timeoutMs) }));
  };
  const answer = async (res: Response) => {
    const text = await res.text();
    let code: string | undefined;
    try {
      code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
    } catch {
      // Not JSON: no code, and the expectation fails on it.
    }
    return { status: res.status, code };
  };
  const expectAnswer = (got: { status: number; code: string | undefined }, status: number, code: string) => {
    if (got.status !== status || got.code !== code) throw new Error(`answered ${got.status} ${got.code ?? '(no code)'}, expected ${status} ${code}`);
  };

  let written = 0;
  let readTurn = 0;
  let badTurn = 0;
  const requests: Record<Stream, (() => { kind: string; run: () => Promise<void> })> = {
    write: () => {
      const n = written++;
      const publisher = n % plan.publishers.length;
      const entry = datasetEntry(`${plan.label}-${n}`);
      return {
        kind: 'submit',
        run: async () => {
          const [receipt] = await writers[publisher]!.submit([entry], plan.publishers[publisher]!);
          if (receipt === undefined) throw new Error('201 without a receipt');
          if (receipt.leafHash !== b64(entryLeafHash(entry))) throw new Error(`receipt ${receipt.sequence} carries leaf hash ${receipt.leafHash}, not the entry's`);
          acked.push({ sequence: receipt.sequence, leafHash: receipt.leafHash, entry });
        },
      };
    },
    read: () => {
      const kind = READ_KINDS[readTurn++ % READ_KINDS.length]!;
      const cp = latest!;
      return {
        kind,
        run: async () => {
          switch (kind) {
            case 'entry': {
              const a = randomAcked(Number.MAX_SAFE_INTEGER);
              const seq = a?.sequence ?? 0;
              const served = await reader.entry(seq);
              if (b64(entryLeafHash(served.entry)) !== served.leafHash) throw new Error(`entry ${seq} served with a leaf hash not its own`);
              if (a !== null && served.leafHash !== a.leafHash) throw new Error(`entry ${seq} is not the entry acknowledged at ${seq}`);
              break;
            }
            case 'entries': {
              const start = Math.floor(Math.random() * cp.size);
              const page = await reader.entries(start);
              if (page.entries.length === 0 || page.entries[0]!.sequence !== start) throw new Error(`page at ${start} starts at ${page.entries[0]?.sequence ?? 'nothing'}`);
              page.entries.forEach((e, i) => {
                if (e.sequence !== start + i || b64(entryLeafHash(e.entry)) !== e.leafHash) throw new Error(`page at ${start}: entry ${e.sequence} out of place or with a leaf hash not its own`);
              });
              break;
            }
            case 'checkpoint':
              noteCheckpoint(await reader.checkpointNote());
              break;
            case 'inclusion': {
              if (cp.size === 0) {
                noteCheckpoint(await reader.checkpointNote());
                break;
              }
              const a = randomAcked(cp.size);
              const index = a?.sequence ?? Math.floor(Math.random() * cp.size);
              const proof = await reader.inclusionProof(index, cp.size);
              if (!checkInclusionProof(proof, cp.rootHash, a === null ? undefined : encodeEntry(a.entry))) throw new Error(`inclusion proof of ${index} at ${cp.size} fails`);
              break;
            }
            case 'consistency': {
              const old = checkpoints[Math.floor(Math.random() * checkpoints.length)]!;
              if (old.size === 0) {
                await reader.checkpointNote();
                break;
              }
              const proof = await reader.consistencyProof(old.size, cp.size);
              if (!checkConsistencyProof(proof, old.rootHash, cp.rootHash)) throw new Error(`consistency proof ${old.size} → ${cp.size} fails`);
              break;
            }
          }
        },
      };
    },
    bad: () => {
      let kind: string = BAD_KINDS[badTurn++ % BAD_KINDS.length]!;
      // Nothing acknowledged yet to replay: send another kind this turn.
      if (kind === 'replayed-nonce' && replayable.length === 0) kind = 'bad-signature';
      const label = `${plan.label}-refused-${badTurn}`;
      const body = JSON.stringify({ entries: [datasetEntry(label)] });
      const publisher = plan.publishers[badTurn % plan.publishers.length]!;
      return {
        kind,
        run: async () => {
          switch (kind) {
            case 'bad-signature': {
              const flip = (h: Record<string, string>) => {
                const sig = Buffer.from(h['canopy-signature']!, 'base64');
                sig[sig.length - 1]! ^= 1;
                h['canopy-signature'] = sig.toString('base64');
              };
              expectAnswer(await signedPost(publisher, body, flip), 401, 'SIGNATURE_INVALID');
              break;
            }
            case 'replayed-nonce': {
              const r = replayable[Math.floor(Math.random() * replayable.length)]!;
              expectAnswer(await answer(await fetch(r.url, { method: 'POST', headers: r.headers, body: r.body, signal: AbortSignal.timeout(plan.timeoutMs) })), 401, 'NONCE_REPLAYED');
              break;
            }
            case 'malformed-json':
              expectAnswer(await signedPost(publisher, `${body.slice(0, -2)},`), 400, 'BODY_NOT_JSON');
              break;
            case 'invalid-body':
              expectAnswer(await signedPost(publisher, JSON.stringify({ entries: [] })), 400, 'INVALID_BODY');
              break;
            case 'role-forbidden':
              expectAnswer(await signedPost(plan.supplier, body), 403, 'ROLE_FORBIDDEN');
              break;
          }
        },
      };
    },
  };

  const inFlight: Record<Stream, number> = { write: 0, read: 0, bad: 0 };
  const sent: Record<Stream, number> = { write: 0, read: 0, bad: 0 };
  const due: Record<Stream, number> = { write: 0, read: 0, bad: 0 };
  const outstanding = new Set<Promise<void>>();
  const t0 = performance.now();
  const second = () => Math.floor((performance.now() - t0) / 1000);
  const bucket = (s: number): SecondStats => {
    while (perSecond.length <= s) perSecond.push({ second: perSecond.length, writes: 0, reads: 0, bad: 0, unexpected: 0 });
    return perSecond[s]!;
  };

  const launch = (stream: Stream) => {
    const { kind, run } = requests[stream]();
    const stats = kinds.get(kind) ?? { kind, stream, requests: 0, ok: 0, unexpected: 0, latenciesMs: [] };
    kinds.set(kind, stats);
    stats.requests++;
    inFlight[stream]++;
    sent[stream]++;
    const started = performance.now();
    const p = run().then(
      () => {
        stats.ok++;
        const b = bucket(second());
        if (stream === 'write') b.writes++;
        else if (stream === 'read') b.reads++;
        else b.bad++;
      },
      (e: unknown) => {
        stats.unexpected++;
        unexpected++;
        bucket(second()).unexpected++;
        if (samples.length < MAX_SAMPLES) samples.push(`${kind} at ${((performance.now() - t0) / 1000).toFixed(1)} s after ${((performance.now() - started) / 1000).toFixed(1)} s: ${describe(e)}`);
      },
    ).finally(() => {
      stats.latenciesMs.push(performance.now() - started);
      inFlight[stream]--;
      outstanding.delete(p);
    });
    outstanding.add(p);
  };

  const streams: Stream[] = ['write', 'read', 'bad'];
  let total = 0;
  for (;;) {
    const elapsed = (performance.now() - t0) / 1000;
    if (elapsed >= plan.seconds || total >= plan.maxRequests) break;
    for (const s of streams) {
      // One request due at t = 0, then one every 1/rate seconds.
      due[s] = plan.rates[s] > 0 ? Math.floor(elapsed * plan.rates[s]) + 1 : 0;
      while (sent[s] < due[s] && inFlight[s] < plan.maxInFlight[s] && total < plan.maxRequests) {
        launch(s);
        total++;
      }
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  const loadSeconds = (performance.now() - t0) / 1000;
  const drainStart = performance.now();
  while (outstanding.size > 0) await Promise.all([...outstanding]);
  return {
    seconds: loadSeconds,
    drainSeconds: (performance.now() - drainStart) / 1000,
    acked,
    kinds: [...kinds.values()],
    perSecond,
    unexpected,
    unexpectedSamples: samples,
    sent,
    due,
  };
}

const port = parentPort ?? bug('_registry-load-clients', 'loaded outside a worker thread');
runLoad(workerData as LoadPlan).then(
  (outcome) => port.postMessage({ outcome } satisfies LoadReply),
  (e: unknown) => port.postMessage({ fault: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies LoadReply),
);
