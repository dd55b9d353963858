/**
 * What an auditor remembers between runs, `canopy-audit-state/1`: the last checkpoint it
 * verified and the replay at that checkpoint, so that the next run checks consistency
 * from there and replays only the entries appended since.
 *
 *     {
 *       "format": "canopy-audit-state/1",
 *       "registryKey": "<the registry's note verifier key>",
 *       "checkpoint": "<the signed checkpoint note, as served>",
 *       "verifiedAt": "<ISO 8601 time of the run that verified it>",
 *       "replay": {
 *         "depths": { "lots": 10, "plots": 10 },
 *         "range": { "size": 13, "hashes": ["<base64>", …] },       RFC 6962 compact range
 *         "trees": { "lots": "<base64>", "plots": "<base64>" },     core/merkle serialize()
 *         "nullifiers": { "<decimal>": <sequence>, … },
 *         "datasets": { "<decimal root>": <sequence>, … },
 *         "parties": { "<id>": { "role", "publicKey", "registered", "revoked" }, … },
 *         "published": { "lots": { "<root>": <checkpoint size> }, "plots": { … } },
 *         "logPins": { "<circuit>:<vkeyHash>": <sequence>, … },
 *         "counts": { "<entry type>": <n>, … },
 *         "proofs": <proofs verified>,
 *         "lastSignedAt": <ms> | null          the registry's signedAt of the last checkpoint
 *       }
 *     }
 *
 * Reading a state (`openAuditState`) re-verifies what it can against the registry's
 * signature: the checkpoint note must verify with the registry key given now (which must
 * be the one recorded), the compact range must have the checkpoint's size and root hash,
 * and the restored trees must have the checkpoint's lots and plots roots. The sets
 * (nullifiers, datasets, parties, published roots, pins) are the auditor's own record and
 * are taken as written: keep the file where only the auditor can write it.
 *
 * Size: the trees are stored whole (core/merkle's form keeps every node, about 64 bytes
 * per leaf, 86 as base64), each nullifier is about 85 bytes of JSON, each distinct
 * published root about 85; the range is at most 51 hashes. docs/audit.md gives figures.
 *
 * `writeAuditState` writes atomically: a temporary file in the same folder, fsync, rename
 * over the old state, fsync of the folder; a crash leaves the old state or the new one.
 * @module
 */
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { assertInteger, assertString, rangeError, typeError } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { parseField } from '../../core/field.ts';
import { assertMerkleDepth } from '../../core/merkle/merkle-node.ts';
import type { Checkpoint } from '../../core/note/checkpoint.ts';
import { hashEqual } from '../../core/tlog/hash.ts';
import { verifyCheckpointNote } from '../../registry/client.ts';
import { assertPartyId } from '../../registry/store/store.ts';
import { AuditFailedError } from './audit-failure.ts';
import { LogReplay, type ReplayParty, type ReplaySnapshot } from './log-replay.ts';
import { hashToBase64 } from './_hash-text.ts';

/** Format tag of the state file. */
export const AUDIT_STATE_FORMAT = 'canopy-audit-state/1';

/** Largest state file read, bytes (1 GiB: about ten million leaves and nullifiers). */
export const MAX_AUDIT_STATE_BYTES = 1 << 30;

/** The state file's content; see the module comment. */
export interface AuditState {
  format: typeof AUDIT_STATE_FORMAT;
  registryKey: string;
  checkpoint: string;
  verifiedAt: string;
  replay: ReplaySnapshot;
}

/** A state opened against the registry key: its checkpoint and its replay. */
export interface OpenedAuditState {
  checkpoint: Checkpoint;
  note: string;
  replay: LogReplay;
}

/**
 * Checks the shape of a state (attacker-controlled only in so far as the file is).
 * @throws {TypeError|RangeError} naming the first bad member
 * @example assertAuditState(JSON.parse(text), 'state')
 */
export function assertAuditState(value: unknown, title = 'state'): asserts value is AuditState {
  const s = exact(value, title, ['format', 'registryKey', 'checkpoint', 'verifiedAt', 'replay']);
  if (s.format !== AUDIT_STATE_FORMAT) rangeError(`${title}.format`, JSON.stringify(AUDIT_STATE_FORMAT), s.format);
  assertString(s.registryKey, `${title}.registryKey`, 1024);
  assertString(s.checkpoint, `${title}.checkpoint`, 1 << 20);
  assertString(s.verifiedAt, `${title}.verifiedAt`, 64);
  const t = `${title}.replay`;
  const r = exact(s.replay, t, ['depths', 'range', 'trees', 'nullifiers', 'datasets', 'parties', 'published', 'logPins', 'counts', 'proofs', 'lastSignedAt']);
  const d = exact(r.depths, `${t}.depths`, ['lots', 'plots']);
  assertMerkleDepth(d.lots, `${t}.depths.lots`);
  assertMerkleDepth(d.plots, `${t}.depths.plots`);
  // The range is checked by CompactRange.fromJSON when the replay is restored.
  const trees = exact(r.trees, `${t}.trees`, ['lots', 'plots']);
  assertString(trees.lots, `${t}.trees.lots`);
  assertString(trees.plots, `${t}.trees.plots`);
  fieldMap(r.nullifiers, `${t}.nullifiers`);
  fieldMap(r.datasets, `${t}.datasets`);
  const parties = exact(r.parties, `${t}.parties`, null);
  for (const [id, p] of Object.entries(parties)) {
    assertPartyId(id, `${t}.parties key`);
    const q = exact(p, `${t}.parties.${id}`, ['role', 'publicKey', 'registered', 'revoked']) as unknown as ReplayParty;
    assertString(q.role, `${t}.parties.${id}.role`, 64);
    assertString(q.publicKey, `${t}.parties.${id}.publicKey`, 64);
    assertInteger(q.registered, `${t}.parties.${id}.registered`);
    if (q.revoked !== null) assertInteger(q.revoked, `${t}.parties.${id}.revoked`);
  }
  const published = exact(r.published, `${t}.published`, ['lots', 'plots']);
  fieldMap(published.lots, `${t}.published.lots`);
  fieldMap(published.plots, `${t}.published.plots`);
  for (const [k, v] of Object.entries(exact(r.logPins, `${t}.logPins`, null))) {
    if (!/^[a-z_0-9]{1,64}:[0-9a-f]{64}$/.test(k)) rangeError(`${t}.logPins key`, '"circuit:<64 hex>"', k);
    assertInteger(v, `${t}.logPins.${k}`);
  }
  for (const [k, v] of Object.entries(exact(r.counts, `${t}.counts`, null))) assertInteger(v, `${t}.counts.${k}`);
  assertInteger(r.proofs, `${t}.proofs`);
  if (r.lastSignedAt !== null) assertInteger(r.lastSignedAt, `${t}.lastSignedAt`);
}

/**
 * Opens a state for the registry whose key is `registryKey`: re-verifies its checkpoint
 * and restores its replay, which must reproduce the checkpoint (module comment).
 * @throws {TypeError|RangeError} for a malformed state;
 *   {AuditFailedError} `state` when it belongs to another registry or does not reproduce its checkpoint
 * @example const { checkpoint, replay } = openAuditState(state, registryKey)
 */
export function openAuditState(state: AuditState, registryKey: string): OpenedAuditState {
  assertAuditState(state);
  if (state.registryKey !== registryKey) throw new AuditFailedError({ check: 'state', expected: `a state for the registry key ${registryKey}`, found: `a state for ${state.registryKey}` });
  let checkpoint: Checkpoint;
  try {
    checkpoint = verifyCheckpointNote(state.checkpoint, registryKey).checkpoint;
  } catch (e) {
    throw new AuditFailedError({ check: 'state', expected: 'a remembered checkpoint signed by the registry key', found: (e as Error).message });
  }
  const replay = LogReplay.restore(state.replay);
  const at = { checkpointSize: checkpoint.size };
  if (replay.size !== checkpoint.size || !hashEqual(replay.rootHash, checkpoint.rootHash)) {
    throw new AuditFailedError({ check: 'state', ...at, expected: `the remembered range to give size ${checkpoint.size} and root ${hashToBase64(checkpoint.rootHash)}`, found: `size ${replay.size}, root ${hashToBase64(replay.rootHash)}` });
  }
  for (const name of ['lots', 'plots'] as const) {
    const root = replay.tree(name).root;
    if (checkpoint.canopyRoots === null || checkpoint.canopyRoots[name] !== root) {
      throw new AuditFailedError({ check: 'state', ...at, expected: `the remembered ${name} tree to have the checkpoint's root ${checkpoint.canopyRoots?.[name] ?? 'none'}`, found: String(root) });
    }
  }
  return { checkpoint, note: state.checkpoint, replay };
}

/**
 * The state text: JSON, two-space indented, one trailing newline.
 * @throws {TypeError|RangeError} for a malformed state
 * @example await writeFile(file, formatAuditState(state))
 */
export function formatAuditState(state: AuditState): string {
  assertAuditState(state);
  return `${JSON.stringify(state, null, 2)}\n`;
}

/**
 * Parses a state file's text strictly.
 * @throws {CanopyError} INVALID_INPUT if not JSON; {TypeError|RangeError} for a malformed state
 * @example parseAuditState(await readFile(file, 'utf8'), file)
 */
export function parseAuditState(text: string, source = 'state'): AuditState {
  assertString(text, 'text', MAX_AUDIT_STATE_BYTES);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CanopyError('INVALID_INPUT', `${source}: not JSON (${(e as Error).message})`, { cause: e });
  }
  assertAuditState(json, 'state');
  return json;
}

/**
 * Reads a state file, or null when there is none yet.
 * @throws {CanopyError} INVALID_INPUT (not JSON, too large); {TypeError|RangeError} for a malformed state
 * @example const state = await readAuditState('audit-state.json')
 */
export async function readAuditState(file: string): Promise<AuditState | null> {
  assertString(file, 'file', 4096);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  return parseAuditState(text, file);
}

/**
 * Writes a state file atomically (module comment), mode 0600.
 * @throws {TypeError|RangeError} for a malformed state; file system errors
 * @example await writeAuditState('audit-state.json', report.state)
 */
export async function writeAuditState(file: string, state: AuditState): Promise<void> {
  assertString(file, 'file', 4096);
  const text = formatAuditState(state);
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.tmp-${process.pid}-${Date.now()}`);
  try {
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  // The rename is durable once the folder's entry is on disk.
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

function exact(value: unknown, title: string, keys: readonly string[] | null): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) typeError(title, 'object', value);
  const o = value as Record<string, unknown>;
  if (keys !== null) {
    for (const k of Object.keys(o)) if (!keys.includes(k)) rangeError(title, `only the members ${keys.join(', ')}`, `member ${JSON.stringify(k)}`);
    for (const k of keys) if (!Object.hasOwn(o, k)) typeError(`${title}.${k}`, 'a value', undefined);
  }
  return o;
}

function fieldMap(value: unknown, title: string): void {
  for (const [k, v] of Object.entries(exact(value, title, null))) {
    parseField(k, `${title} key`);
    assertInteger(v, `${title}.${k}`);
  }
}
