/**
 * Which checkpoints a reader accepts, from whatever URL they came: the registry, a mirror
 * of its tiles, a cache. A mirror is trusted for nothing; a checkpoint is accepted when
 *
 *     1 the registry's pinned Ed25519 note key signed it (C2SP signed-note), and its origin
 *       is that key's name (tlog-checkpoint: the origin names the log);
 *     2 at least `quorum` distinct cosigners among `cosigners` cosigned it
 *       (C2SP tlog-cosignature, cosignature/v1), when the policy asks for any.
 *
 * Signatures by other keys are ignored (kept as unverified by core/note). Everything a
 * mirror serves besides the checkpoint (tiles, entry bundles) is then authenticated
 * against the accepted root hash (tiled-log-client.ts).
 *
 * Cosigner keys are cosignature verifier keys (type 0x04); an Ed25519 note verifier key
 * (type 0x01, what `canopy registry keygen` prints) is converted with
 * `cosignerVerifierKey`, so an auditor's published key can be pinned as it is.
 * @module
 */
import { assertArray, assertInteger, assertString, typeError } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { parseCheckpoint } from '../../core/note/checkpoint.ts';
import { cosignatureVerifier, cosignerVerifierKey } from '../../core/note/cosignature.ts';
import { NOTE_ALG_ED25519, noteVerifier, type NoteVerifier, parseVerifierKey } from '../../core/note/note-key.ts';
import { openNote } from '../../core/note/signed-note.ts';
import type { VerifiedCheckpoint } from '../client.ts';

/** Most cosigner keys a policy may list. */
export const MAX_POLICY_COSIGNERS = 64;

/** A reader's checkpoint policy. See the module comment. */
export interface CheckpointPolicy {
  /** The registry's note verifier key, "<origin>+<hash>+<key>" (registry.vkey). */
  registryKey: string;
  /** Witness keys: cosignature verifier keys (0x04) or Ed25519 note verifier keys (0x01). */
  cosigners?: readonly string[];
  /** How many distinct cosigners must have cosigned (default 0; at most cosigners.length). */
  quorum?: number;
}

/** A policy with its keys parsed once. */
export interface CompiledPolicy {
  registry: NoteVerifier;
  cosigners: NoteVerifier[];
  quorum: number;
}

/**
 * Parses a policy's keys once, for `verifyLogCheckpoint`.
 * @throws {TypeError|RangeError} if the policy is malformed or the quorum exceeds the
 *   cosigners; {CanopyError} KEY_MALFORMED for a bad key
 * @example const policy = compilePolicy({ registryKey, cosigners: [auditorVkey], quorum: 1 })
 */
export function compilePolicy(policy: CheckpointPolicy): CompiledPolicy {
  if (typeof policy !== 'object' || policy === null) typeError('policy', 'CheckpointPolicy', policy);
  const registry = noteVerifier(policy.registryKey);
  const keys = policy.cosigners ?? [];
  assertArray(keys, 'policy.cosigners', 0, MAX_POLICY_COSIGNERS);
  const cosigners = keys.map((k, i) => {
    assertString(k, `policy.cosigners[${i}]`, 1024);
    return cosignatureVerifier(isNoteKey(k) ? cosignerVerifierKey(k) : k);
  });
  const quorum = policy.quorum ?? 0;
  assertInteger(quorum, 'policy.quorum', 0, cosigners.length);
  return { registry, cosigners, quorum };
}

/**
 * Opens a checkpoint note (attacker-controlled) under a policy.
 * @returns the note, its parsed checkpoint, and the names of the keys that verified
 *   (the registry's and the cosigners' that count)
 * @throws {CanopyError} NOTE_MALFORMED, CHECKPOINT_MALFORMED; SIGNATURE_INVALID (a known
 *   key's signature fails); NOTE_UNVERIFIED if the registry did not sign it, the origin is
 *   not the registry key's name, or too few cosigners cosigned; {TypeError|RangeError} for
 *   a malformed policy
 * @example const { checkpoint } = verifyLogCheckpoint(note, { registryKey })
 */
export function verifyLogCheckpoint(note: string, policy: CheckpointPolicy | CompiledPolicy): VerifiedCheckpoint {
  const p = 'registry' in policy && typeof policy.registry === 'object' ? (policy as CompiledPolicy) : compilePolicy(policy as CheckpointPolicy);
  assertString(note, 'note', 1 << 20);
  const opened = openNote(note, [p.registry, ...p.cosigners]);
  const signed = (v: NoteVerifier): boolean => opened.sigs.some((s) => s.name === v.name && s.keyHash === v.keyHash);
  if (!signed(p.registry)) throw new CanopyError('NOTE_UNVERIFIED', `the checkpoint is not signed by the registry key ${p.registry.name}`);
  const checkpoint = parseCheckpoint(opened.text);
  if (checkpoint.origin !== p.registry.name) {
    throw new CanopyError('NOTE_UNVERIFIED', `checkpoint origin ${JSON.stringify(checkpoint.origin)} is not the name of the registry key ${JSON.stringify(p.registry.name)}`);
  }
  const cosigned = p.cosigners.filter(signed);
  if (cosigned.length < p.quorum) {
    throw new CanopyError('NOTE_UNVERIFIED', `the checkpoint of size ${checkpoint.size} has ${cosigned.length} of the ${p.quorum} cosignatures the policy requires`);
  }
  return { note, checkpoint, signedBy: [p.registry.name, ...cosigned.map((c) => c.name)] };
}

/** Whether a verifier key has the Ed25519 note type (0x01) rather than the cosignature type. */
function isNoteKey(vkey: string): boolean {
  try {
    parseVerifierKey(vkey, NOTE_ALG_ED25519);
    return true;
  } catch {
    return false;
  }
}
