/**
 * A follower's position, kept in a small JSON file between runs (`canopy registry follow
 * --state FILE`), so that a consumer stopped at any point resumes after the last entry it
 * emitted and never sees an entry twice or misses one:
 *
 *     { "format": "canopy-follow-state/1",
 *       "origin": "registry.example/canopy",       the log (the registry key's name)
 *       "after": 41,                               last sequence number emitted, null: none
 *       "checkpoint": "registry.example/canopy\n50\n…\n\n— …\n" }   last checkpoint the
 *                                                  emitted entries were checked against, or null
 *
 * The checkpoint is kept so that the next run accepts only checkpoints consistent with it:
 * the registry cannot rewrite entries a consumer already acted on. The file is replaced
 * atomically (written to a temporary name, fsynced, renamed), so a crash leaves the old
 * state or the new one. It is written after each batch is emitted: a process killed
 * between emitting and saving emits that batch again on resume (at least once); stopped
 * by a signal, it finishes the batch and saves (exactly once).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { assertInteger, assertString } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { TLOG_MAX_SIZE } from '../../core/tlog/tree-size.ts';

/** The format line of a state file. */
export const FOLLOW_STATE_FORMAT = 'canopy-follow-state/1';

/** A follower's position. */
export interface FollowState {
  format: typeof FOLLOW_STATE_FORMAT;
  origin: string;
  after: number | null;
  checkpoint: string | null;
}

/**
 * The state in `path`, or null if the file does not exist.
 * @throws {CanopyError} INVALID_INPUT if the file is not a follow state; I/O errors
 * @example const state = await readFollowState('follow.json')
 */
export async function readFollowState(path: string): Promise<FollowState | null> {
  assertString(path, 'path', 4096);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const bad = (why: string): never => {
    throw new CanopyError('INVALID_INPUT', `${path} is not a follow state: ${why}`);
  };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return bad('not JSON');
  }
  if (typeof json !== 'object' || json === null) return bad('not an object');
  const s = json as Record<string, unknown>;
  if (s.format !== FOLLOW_STATE_FORMAT) bad(`format ${JSON.stringify(s.format)}`);
  if (typeof s.origin !== 'string' || s.origin.length === 0) bad('no origin');
  if (s.after !== null) {
    try {
      assertInteger(s.after, 'after', 0, TLOG_MAX_SIZE - 1);
    } catch (e) {
      bad((e as Error).message);
    }
  }
  if (s.checkpoint !== null && typeof s.checkpoint !== 'string') bad('checkpoint is not a note');
  return { format: FOLLOW_STATE_FORMAT, origin: s.origin as string, after: s.after as number | null, checkpoint: s.checkpoint as string | null };
}

/**
 * Replaces the state in `path` atomically and durably.
 * @throws {TypeError|RangeError} for a malformed state; I/O errors
 * @example await writeFollowState('follow.json', { format: FOLLOW_STATE_FORMAT, origin, after: 41, checkpoint: note })
 */
export async function writeFollowState(path: string, state: FollowState): Promise<void> {
  assertString(path, 'path', 4096);
  assertString(state.origin, 'state.origin', 1024);
  if (state.after !== null) assertInteger(state.after, 'state.after', 0, TLOG_MAX_SIZE - 1);
  if (state.checkpoint !== null) assertString(state.checkpoint, 'state.checkpoint', 1 << 20);
  const temp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  const handle = await open(temp, 'wx', 0o644);
  try {
    await handle.writeFile(`${JSON.stringify({ format: FOLLOW_STATE_FORMAT, origin: state.origin, after: state.after, checkpoint: state.checkpoint }, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw e;
  }
}
