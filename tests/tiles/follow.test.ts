// The follow API and its consumer, against a registry started in-process (SQLite, plain
// entries) that keeps appending and signing checkpoints while followers read: pages and
// the event stream serve each entry once, in order, only once a checkpoint covers it; a
// follower that stops midway and resumes from its state sees every entry exactly once; a
// registry (or a proxy) that alters, drops or reorders an entry is caught before anything
// of the batch is emitted.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import { generateNoteKey } from '../../core/note/note-key.ts';
import { RegistryClient } from '../../registry/client.ts';
import { proofsBatchVerifier, tilesBatchVerifier } from '../../registry/follow/batch-verifier.ts';
import { followLog, type FollowBatch } from '../../registry/follow/follow-log.ts';
import { followRouter } from '../../registry/follow/follow-router.ts';
import { FOLLOW_STATE_FORMAT, readFollowState, writeFollowState } from '../../registry/follow/follow-state.ts';
import { readServerSentEvents, type ServerSentEvent } from '../../registry/follow/_sse-reader.ts';
import type { ServedEntry } from '../../registry/log/registry-log.ts';
import { datasetEntry, fe, REGISTRY_KEY, registration, sqliteFixture } from '../registry/_fixtures.ts';
import { raw, startTestRegistry, type TestRegistry } from '../registry-api/_registry.ts';

const policy = { registryKey: REGISTRY_KEY.verifierKey };
const isCode = (code: string, ...mentions: string[]) => (e: unknown) => e instanceof CanopyError && e.code === code && mentions.every((m) => e.message.includes(m));

function plainEntry(i: number) {
  return i % 5 === 2 ? registration(`follower-party-${i}`) : datasetEntry(fe(`follow dataset ${i}`), `follow dataset ${i}`);
}

/** Appends `count` entries to `reg` in small batches, signing a checkpoint after each, with pauses. */
async function appendInBackground(reg: TestRegistry, count: number, batch: number, pauseMs: number): Promise<void> {
  for (let done = 0; done < count; done += batch) {
    const size = (await reg.service.log.store.head()).size;
    await reg.service.log.append(Array.from({ length: Math.min(batch, count - done) }, (_, k) => plainEntry(size + k)));
    await reg.service.signCheckpoint();
    await new Promise((r) => setTimeout(r, pauseMs));
  }
}

async function collect(gen: AsyncGenerator<FollowBatch>, atLeast: number): Promise<{ entries: ServedEntry[]; last: FollowBatch | null }> {
  const entries: ServedEntry[] = [];
  let last: FollowBatch | null = null;
  if (atLeast <= 0) return { entries, last };
  for await (const b of gen) {
    entries.push(...b.entries);
    last = b;
    if (entries.length >= atLeast) break;
  }
  return { entries, last };
}

function expectEachOnce(entries: readonly ServedEntry[], n: number): void {
  expect(entries.map((e) => e.sequence)).toEqual(Array.from({ length: n }, (_, i) => i));
}

describe('GET /v1/follow', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startTestRegistry(sqliteFixture());
  });
  afterAll(async () => {
    await reg.close();
  });

  describe('when nothing is appended yet', () => {
    it('answers the empty checkpoint and no entries', async () => {
      const r = await raw(reg.url, 'GET', '/v1/follow');
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ checkpoint: { size: 0 }, entries: [], last: null });
    });
  });

  describe('when entries are appended but not yet in a checkpoint', () => {
    it('serves only those a signed checkpoint covers', async () => {
      await reg.service.log.append([plainEntry(0), plainEntry(1), plainEntry(2)]);
      await reg.service.signCheckpoint();
      await reg.service.log.append([plainEntry(3), plainEntry(4)]);
      const r = await raw(reg.url, 'GET', '/v1/follow?after=0&limit=10');
      expect(r.json).toMatchObject({ checkpoint: { size: 3 }, last: 2 });
      expect((r.json.entries as ServedEntry[]).map((e) => e.sequence)).toEqual([1, 2]);
      expect((r.json.entries as ServedEntry[])[0]).toEqual(await reg.client.entry(1));
      expect((await raw(reg.url, 'GET', '/v1/follow?after=2')).json).toMatchObject({ entries: [], last: 2 });
      await reg.service.signCheckpoint();
      expect(((await raw(reg.url, 'GET', '/v1/follow?after=2')).json.entries as ServedEntry[]).map((e) => e.sequence)).toEqual([3, 4]);
      expect(((await raw(reg.url, 'GET', '/v1/follow?limit=2')).json.entries as ServedEntry[]).map((e) => e.sequence)).toEqual([0, 1]);
    });
  });

  describe('when the query is malformed', () => {
    it.each(['after=-1', 'after=01', 'after=1.0', 'after=', 'after=1&after=2', 'limit=0', 'limit=1001', 'from=3', 'after=2251799813685248'])('answers 400 INVALID_QUERY for ?%s', async (q) => {
      const r = await raw(reg.url, 'GET', `/v1/follow?${q}`);
      expect([q, r.status, r.json.error?.code]).toEqual([q, 400, 'INVALID_QUERY']);
    });
  });
});

describe('GET /v1/follow/stream', () => {
  let reg: TestRegistry;
  let app: { url: string; server: Server };
  beforeAll(async () => {
    reg = await startTestRegistry(sqliteFixture());
    await reg.service.log.append(Array.from({ length: 12 }, (_, i) => plainEntry(i)));
    await reg.service.signCheckpoint();
    // A bare follow router with a short heartbeat, over the same log.
    const e = express().use(followRouter({ source: reg.service.log, pollMs: 20, heartbeatMs: 100 }));
    const server = await new Promise<Server>((resolve) => {
      const s = e.listen(0, '127.0.0.1', () => resolve(s));
    });
    app = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
  });
  afterAll(async () => {
    await new Promise((r) => app.server.close(r));
    await reg.close();
  });

  async function events(url: string, headers: Record<string, string>, until: (e: ServerSentEvent[]) => boolean): Promise<ServerSentEvent[]> {
    const controller = new AbortController();
    const res = await fetch(url, { headers, signal: controller.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const got: ServerSentEvent[] = [];
    for await (const e of readServerSentEvents(res.body!)) {
      got.push(e);
      if (until(got)) break;
    }
    controller.abort();
    return got;
  }

  describe('when opened after a position', () => {
    it('sends the covering checkpoint, then each later entry with its sequence as id', async () => {
      const got = await events(`${reg.url}/v1/follow/stream?after=8`, {}, (e) => e.length === 4);
      expect(got[0]).toMatchObject({ event: 'checkpoint' });
      expect(JSON.parse(got[0]!.data)).toMatchObject({ size: 12 });
      expect(got.slice(1).map((e) => [e.event, e.id, (JSON.parse(e.data) as ServedEntry).sequence])).toEqual([
        ['entry', '9', 9],
        ['entry', '10', 10],
        ['entry', '11', 11],
      ]);
    });
    it('resumes from Last-Event-ID over the query', async () => {
      const got = await events(`${reg.url}/v1/follow/stream?after=0`, { 'last-event-id': '10' }, (e) => e.length === 2);
      expect(got.map((e) => e.id)).toEqual([null, '11']);
    });
  });

  describe('when a checkpoint is signed while it is open', () => {
    it('sends the new checkpoint and the new entries, and heartbeats while idle', async () => {
      const controller = new AbortController();
      const res = await fetch(`${app.url}/v1/follow/stream?after=11`, { signal: controller.signal });
      const reader = readServerSentEvents(res.body!);
      await reg.service.log.append([plainEntry(12), plainEntry(13)]);
      await reg.service.signCheckpoint();
      const got: ServerSentEvent[] = [];
      for await (const e of reader) {
        got.push(e);
        if (got.length === 3) break;
      }
      expect(got.map((e) => e.event)).toEqual(['checkpoint', 'entry', 'entry']);
      expect(got.slice(1).map((e) => e.id)).toEqual(['12', '13']);
      controller.abort();
      // Heartbeats are comments: seen on the wire, not as events.
      const res2 = await fetch(`${app.url}/v1/follow/stream?after=13`);
      const r2 = res2.body!.getReader();
      let wire = '';
      const t0 = Date.now();
      while (!wire.includes(': heartbeat') && Date.now() - t0 < 5000) wire += new TextDecoder().decode((await r2.read()).value);
      expect(wire).toContain(': heartbeat');
      await r2.cancel();
    });
  });

  describe('when the server closes with streams open', () => {
    it('ends them, so the close completes', async () => {
      const e = express().use(followRouter({ source: reg.service.log, pollMs: 20 }));
      const server = await new Promise<Server>((resolve) => {
        const s = e.listen(0, '127.0.0.1', () => resolve(s));
      });
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const res = await fetch(`${url}/v1/follow/stream?after=13`);
      const reading = res.text();
      const t0 = Date.now();
      await new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
      });
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(await reading).toContain('retry: 2000');
    });
  });

  describe('when asked with HEAD', () => {
    it('answers the headers of a stream and ends', async () => {
      const r = await fetch(`${reg.url}/v1/follow/stream`, { method: 'HEAD', signal: AbortSignal.timeout(5000) });
      expect([r.status, r.headers.get('content-type')]).toEqual([200, 'text/event-stream; charset=utf-8']);
    });
  });

  describe('when the query is malformed', () => {
    it('answers 400 INVALID_QUERY', async () => {
      for (const q of ['?limit=5', '?after=x']) expect((await raw(reg.url, 'GET', `/v1/follow/stream${q}`)).status).toBe(400);
      const r = await fetch(`${reg.url}/v1/follow/stream`, { headers: { 'last-event-id': '-3' } });
      expect(r.status).toBe(400);
    });
  });
});

describe('followLog', () => {
  describe('when a follower stops midway and resumes while entries keep coming', () => {
    for (const [name, mode, verify] of [
      ['stream, then poll; tiles, then proofs', 'stream', 'tiles'],
      ['poll, then stream; proofs, then tiles', 'poll', 'proofs'],
    ] as const) {
      it(`sees every entry exactly once (${name})`, async () => {
        const reg = await startTestRegistry(sqliteFixture());
        try {
          const n = 300;
          // Phase 1: 150 entries appended while the first follower reads; it stops after at least 120.
          const phase1 = appendInBackground(reg, 150, 17, 10);
          const verifier = (kind: 'tiles' | 'proofs', trusted: string | null) =>
            kind === 'tiles' ? tilesBatchVerifier({ location: reg.url, policy, trusted }) : proofsBatchVerifier({ client: new RegistryClient({ baseUrl: reg.url }), policy, trusted });
          const first = await collect(followLog({ registry: reg.url, verifier: verifier(verify, null), mode, pageSize: 25, pollMs: 10, reconnectMs: 10 }), 120);
          await phase1;
          // Where it stopped depends on how checkpoints fell into batches; at most phase 1's 150.
          expect(first.entries.length).toBeGreaterThanOrEqual(120);
          expect(first.entries.length).toBeLessThanOrEqual(150);
          const state = { after: first.entries[first.entries.length - 1]!.sequence, checkpoint: first.last!.checkpoint.note };
          // Phase 2: the rest appended while a second follower resumes from the state, with the
          // other transport and the other verifier, until all n are in.
          const other = verify === 'tiles' ? 'proofs' : 'tiles';
          const second = collect(followLog({ registry: reg.url, verifier: verifier(other, state.checkpoint), after: state.after, mode: mode === 'stream' ? 'poll' : 'stream', pageSize: 25, pollMs: 10, reconnectMs: 10 }), n - first.entries.length);
          await appendInBackground(reg, n - 150, 17, 10);
          const rest = await second;
          expectEachOnce([...first.entries, ...rest.entries], n);
          const all = [...(await reg.client.entries(0, 100)).entries, ...(await reg.client.entries(100, 200)).entries, ...(await reg.client.entries(200, 300)).entries];
          expect([...first.entries, ...rest.entries]).toEqual(all);
        } finally {
          await reg.close();
        }
      }, 120_000);
    }
  });

  describe('when the answers are altered on the way', () => {
    let reg: TestRegistry;
    beforeAll(async () => {
      reg = await startTestRegistry(sqliteFixture());
      await reg.service.log.append(Array.from({ length: 40 }, (_, i) => plainEntry(i)));
      await reg.service.signCheckpoint();
    });
    afterAll(async () => {
      await reg.close();
    });

    /** A fetch that rewrites follow pages with `alter`. */
    const tampering = (alter: (page: { checkpoint: { size: number; note: string }; entries: ServedEntry[] }) => void): typeof fetch =>
      (async (input: RequestInfo | URL, init?: RequestInit) => {
        const res = await fetch(input, init);
        if (!String(input).includes('/v1/follow?')) return res;
        const page = (await res.json()) as Parameters<typeof alter>[0];
        alter(page);
        return new Response(JSON.stringify(page), { status: 200, headers: { 'content-type': 'application/json' } });
      }) as typeof fetch;

    const cases: [string, (p: { checkpoint: { size: number; note: string }; entries: ServedEntry[] }) => void, string][] = [
      ['an entry changed', (p) => ((p.entries[3]!.entry.body as { name: string }).name = 'forged'), 'entry 3'],
      ['an entry dropped', (p) => p.entries.splice(5, 1), 'entry 6'],
      ['two entries swapped', (p) => ([p.entries[1], p.entries[2]] = [p.entries[2]!, p.entries[1]!]), 'entry 2'],
      ['a wrong leaf hash served', (p) => (p.entries[0]!.leafHash = p.entries[1]!.leafHash), 'leaf hash'],
      ['the checkpoint re-signed by another key', (p) => (p.checkpoint.note = p.checkpoint.note.replace(/— \S+ /, `— ${generateNoteKey('x').verifierKey.split('+')[0]} `)), ''],
    ];
    for (const verify of ['tiles', 'proofs'] as const) {
      it.each(cases)(`refuses the batch with %s (${verify})`, async (_name, alter, mention) => {
        const verifier = verify === 'tiles' ? tilesBatchVerifier({ location: reg.url, policy }) : proofsBatchVerifier({ client: reg.client, policy });
        const emitted: ServedEntry[] = [];
        const run = async () => {
          for await (const b of followLog({ registry: reg.url, verifier, mode: 'poll', untilCaughtUp: true, fetch: tampering(alter) })) emitted.push(...b.entries);
        };
        await expect(run()).rejects.toSatisfy((e: unknown) => e instanceof CanopyError && ['PROOF_INVALID', 'NOTE_MALFORMED', 'NOTE_UNVERIFIED'].includes(e.code) && e.message.includes(mention));
        expect(emitted).toEqual([]);
      });
    }

    it('refuses a checkpoint inconsistent with the one remembered from the last run', async () => {
      const other = await startTestRegistry(sqliteFixture());
      try {
        // Same registry key, another history: a fork of the log.
        await other.service.log.append(Array.from({ length: 30 }, (_, i) => plainEntry(1000 + i)));
        const forked = (await other.service.signCheckpoint()).note;
        for (const verifier of [tilesBatchVerifier({ location: reg.url, policy, trusted: forked }), proofsBatchVerifier({ client: reg.client, policy, trusted: forked })]) {
          await expect(collect(followLog({ registry: reg.url, verifier, mode: 'poll', untilCaughtUp: true }), 1)).rejects.toSatisfy(isCode('PROOF_INVALID', 'forked'));
        }
      } finally {
        await other.close();
      }
    });
  });
});

describe('readFollowState', () => {
  describe('when the file round-trips', () => {
    it('reads back what was written, and refuses other files', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'canopy-follow-'));
      try {
        const path = join(dir, 'state.json');
        expect(await readFollowState(path)).toBeNull();
        const state = { format: FOLLOW_STATE_FORMAT, origin: 'registry.test/canopy', after: 41, checkpoint: 'note\n' } as const;
        await writeFollowState(path, state);
        expect(await readFollowState(path)).toEqual(state);
        for (const bad of ['{', '[]', '{"format":"other"}', JSON.stringify({ ...state, after: -1 }), JSON.stringify({ ...state, after: 1.5 }), JSON.stringify({ ...state, origin: '' }), JSON.stringify({ ...state, checkpoint: 3 })]) {
          writeFileSync(path, bad);
          await expect(readFollowState(path)).rejects.toSatisfy(isCode('INVALID_INPUT'));
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
