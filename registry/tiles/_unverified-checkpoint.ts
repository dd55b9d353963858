/**
 * Reads the checkpoint inside a signed note without checking any signature (internal to
 * registry/tiles). The tile writer uses it on notes it got from its own store, whose roots
 * it then checks against the store's hashes; a reader of untrusted notes must use
 * `verifyLogCheckpoint` (checkpoint-policy.ts) instead.
 * @module
 */
import { bug } from '../../core/errors.ts';
import { type Checkpoint, parseCheckpoint } from '../../core/note/checkpoint.ts';
import { openNote, UnverifiedNoteError } from '../../core/note/signed-note.ts';

/**
 * The checkpoint a note carries, parsed strictly, signatures unchecked.
 * @throws {CanopyError} NOTE_MALFORMED, CHECKPOINT_MALFORMED
 * @example unverifiedCheckpoint(note).size
 */
export function unverifiedCheckpoint(note: string): Checkpoint {
  // With no verifier every signature is unknown, so openNote parses the note and then
  // throws UnverifiedNoteError carrying it; any other error is a malformed note.
  try {
    openNote(note, []);
  } catch (e) {
    if (e instanceof UnverifiedNoteError) return parseCheckpoint(e.note.text);
    throw e;
  }
  return bug('unverifiedCheckpoint', 'a note opened with no verifiers');
}
