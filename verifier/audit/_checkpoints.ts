/**
 * Checkpoints as an auditor reads them (internal): every note opened with the registry's
 * key, every served record compared with the note it carries (the record's other fields
 * are unsigned conveniences), and the history walked in pages, strictly increasing.
 * @module
 */
import { fieldToString } from '../../core/field.ts';
import { type Checkpoint, formatCheckpoint } from '../../core/note/checkpoint.ts';
import { verifyCheckpointNote } from '../../registry/client.ts';
import type { SignedCheckpoint } from '../../registry/log/checkpoint.ts';
import { AuditFailedError } from './audit-failure.ts';
import type { AuditSource } from './audit-source.ts';
import { hashToBase64 } from './_hash-text.ts';

/** Checkpoints fetched per history page (the API's maximum). */
export const HISTORY_PAGE = 100;

/** A checkpoint whose note verified. */
export interface OpenedCheckpoint {
  checkpoint: Checkpoint;
  /** The checkpoint text (what the registry signed), without signatures. */
  text: string;
  note: string;
  /** The record's unsigned leaf counts, when it came from the history. */
  leafCounts: { lots: number; plots: number } | null;
  /** The record's unsigned signing time (ms), when it came from the history. */
  signedAt: number | null;
}

/**
 * Opens a checkpoint note with the registry key.
 * @throws {AuditFailedError} checkpoint-signature (bad signature, other key or origin, malformed);
 *   checkpoint-format (no Canopy roots)
 * @example openCheckpointNote(await client.checkpointNote(), registryKey).checkpoint.size
 */
export function openCheckpointNote(note: string, registryKey: string, size?: number): OpenedCheckpoint {
  const at = size === undefined ? {} : { checkpointSize: size };
  let checkpoint: Checkpoint;
  try {
    checkpoint = verifyCheckpointNote(note, registryKey).checkpoint;
  } catch (e) {
    throw new AuditFailedError({ check: 'checkpoint-signature', ...at, expected: `a checkpoint signed by ${registryKey}`, found: (e as Error).message });
  }
  if (checkpoint.canopyRoots === null) throw new AuditFailedError({ check: 'checkpoint-format', checkpointSize: checkpoint.size, expected: 'canopy-lots-root and canopy-plots-root lines', found: 'none' });
  return { checkpoint, text: formatCheckpoint(checkpoint), note, leafCounts: null, signedAt: null };
}

/**
 * Opens a served checkpoint record: its note with the registry key, and each signed value
 * the record repeats must be the note's.
 * @throws {AuditFailedError} checkpoint-signature, checkpoint-format, checkpoint-record
 * @example openCheckpointRecord((await client.checkpoints({ from: 7, limit: 1 }))[0], registryKey)
 */
export function openCheckpointRecord(record: SignedCheckpoint, registryKey: string): OpenedCheckpoint {
  const opened = openCheckpointNote(record.note, registryKey, record.size);
  const c = opened.checkpoint;
  const signed = { size: c.size, rootHash: hashToBase64(c.rootHash), lotsRoot: fieldToString(c.canopyRoots!.lots), plotsRoot: fieldToString(c.canopyRoots!.plots) };
  for (const k of ['size', 'rootHash', 'lotsRoot', 'plotsRoot'] as const) {
    if (record[k] !== signed[k]) throw new AuditFailedError({ check: 'checkpoint-record', checkpointSize: c.size, expected: `${k} ${signed[k]} (as signed)`, found: `${k} ${String(record[k])}` });
  }
  return { ...opened, leafCounts: { lots: record.lotsSize, plots: record.plotsSize }, signedAt: Number.isSafeInteger(record.signedAt) ? record.signedAt : null };
}

/**
 * The signed checkpoints with size in [from, upTo], oldest first, page by page.
 * @throws {AuditFailedError} history (sizes not strictly increasing), and as openCheckpointRecord
 * @example for await (const c of checkpointHistory(client, registryKey, 1, latest.size)) replay.checkCheckpoint(c.checkpoint, c.leafCounts)
 */
export async function* checkpointHistory(source: AuditSource, registryKey: string, from: number, upTo: number): AsyncGenerator<OpenedCheckpoint> {
  let next = from;
  let last = -1;
  while (next <= upTo) {
    const page = await source.checkpoints({ from: next, limit: HISTORY_PAGE });
    if (page.length === 0) return;
    for (const record of page) {
      if (record.size > upTo) return;
      if (record.size <= last || record.size < from) {
        throw new AuditFailedError({ check: 'history', checkpointSize: record.size, expected: `checkpoints of increasing size above ${Math.max(last, from - 1)}`, found: `a checkpoint of size ${record.size}` });
      }
      last = record.size;
      yield openCheckpointRecord(record, registryKey);
    }
    next = last + 1;
  }
}
