/**
 * Witness cosigning (C2SP tlog-cosignature, cosignature/v1): after an audit verified a
 * checkpoint, the auditor signs it as a witness and gives the cosignature to the registry,
 * which serves it with the checkpoint so that verifiers can demand k witnesses.
 *
 *     1 open     the checkpoint note with the registry's key (a witness only cosigns what
 *                the registry signed)
 *     2 sign     a cosignature/v1 line with the auditor's party key under the key name
 *                partyId: the cosigner key is cosignerVerifierKey(ed25519VerifierKey(partyId,
 *                public key)), which is what the registry derives from the registered party
 *     3 submit   POST /v1/checkpoints/cosignatures, signed as the party (client.cosign)
 *     4 check    the returned note verifies with the registry key and carries the
 *                auditor's cosignature
 *
 * The party key file may name its key anything; the cosigner key is re-derived from the
 * same Ed25519 seed under the name partyId, since a cosignature's key hash commits to the
 * name and the registry knows the party by its id.
 * @module
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { assertString } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { cosignatureSigner, cosignatureTimestamp, cosignatureVerifier, cosignerVerifierKey } from '../../core/note/cosignature.ts';
import { ed25519VerifierKey, generateNoteKey, noteVerifier, parseSignerKey } from '../../core/note/note-key.ts';
import { openNote, signNote } from '../../core/note/signed-note.ts';
import { RegistryClient, type RequestSigner } from '../../registry/client.ts';
import type { SignedCheckpoint } from '../../registry/log/checkpoint.ts';

/** The registry write a witness needs (`RegistryClient.cosign`). */
export interface CosignTarget {
  cosign?(note: string, auditor: RequestSigner): Promise<SignedCheckpoint>;
}

/** Options of `cosignCheckpoint`. */
export interface CosignOptions {
  /** The registry: its URL, or a client. */
  registry: CosignTarget | string;
  /** The registry's note verifier key. */
  registryKey: string;
  /** The checkpoint note the audit verified. */
  note: string;
  /** The auditor: its registered party id and its note signer key ("PRIVATE+KEY+…"). */
  auditor: { partyId: string; signerKey: string };
  /** Clock for the cosignature's timestamp, POSIX seconds. */
  now?: () => number;
}

/** What `cosignCheckpoint` returns. */
export interface CosignResult {
  /** The checkpoint note as the registry now serves it, with the cosignature. */
  note: string;
  /** The auditor's cosigner verifier key (type 0x04, name = partyId). */
  cosignerKey: string;
  /** The cosignature's timestamp, POSIX seconds. */
  timestamp: number;
  /** Every key whose signature on the returned note verified: the registry, then the auditor. */
  signedBy: string[];
}

/**
 * The cosigner verifier key of a party: its registered Ed25519 key under the name partyId, type 0x04.
 * @throws {TypeError|RangeError} for a malformed id or key; {CanopyError} KEY_MALFORMED
 * @example cosignerKeyOf('auditor-1', publicKeyBase64)
 */
export function cosignerKeyOf(partyId: string, publicKey: string | Uint8Array): string {
  const raw = typeof publicKey === 'string' ? new Uint8Array(Buffer.from(publicKey, 'base64')) : publicKey;
  return cosignerVerifierKey(ed25519VerifierKey(partyId, raw));
}

/**
 * Cosigns a verified checkpoint and submits the cosignature (module comment).
 * @throws {TypeError|RangeError} for malformed options; {CanopyError} KEY_MALFORMED,
 *   NOTE_MALFORMED, SIGNATURE_INVALID, NOTE_UNVERIFIED (the note is not the registry's),
 *   NOT_FOUND (a client without cosign), AUDIT_FAILED (the registry's answer lacks the
 *   cosignature); {ApiError} when the registry refuses it
 * @example await cosignCheckpoint({ registry: client, registryKey, note: report.state.checkpoint, auditor: { partyId: 'auditor-1', signerKey } })
 */
export async function cosignCheckpoint(options: CosignOptions): Promise<CosignResult> {
  if (typeof options !== 'object' || options === null) throw new TypeError(`"options" expected CosignOptions, got ${String(options)}`);
  assertString(options.registryKey, 'options.registryKey', 1024);
  assertString(options.note, 'options.note', 1 << 20);
  assertString(options.auditor?.partyId, 'options.auditor.partyId', 128);
  assertString(options.auditor?.signerKey, 'options.auditor.signerKey', 1024);
  const target: CosignTarget = typeof options.registry === 'string' ? (new RegistryClient({ baseUrl: options.registry }) as unknown as CosignTarget) : options.registry;
  if (typeof target?.cosign !== 'function') throw new CanopyError('NOT_FOUND', 'this registry client cannot submit cosignatures (POST /v1/checkpoints/cosignatures)');

  // 1 open
  const registry = noteVerifier(options.registryKey);
  const opened = openNote(options.note, [registry]);
  // 2 sign, under the name partyId
  const { seed } = parseSignerKey(options.auditor.signerKey);
  const partyId = options.auditor.partyId;
  const witnessKey = generateNoteKey(partyId, seed).signerKey;
  const cosignerKey = cosignerKeyOf(partyId, ed25519.getPublicKey(seed));
  const registrySigs = opened.sigs.filter((s) => s.name === registry.name && s.keyHash === registry.keyHash);
  const cosigned = signNote({ text: opened.text, sigs: registrySigs, unverifiedSigs: [] }, [cosignatureSigner(witnessKey, options.now)]);
  // 3 submit
  const answer = await target.cosign(cosigned, { keyId: partyId, signerKey: options.auditor.signerKey });
  // 4 check
  const back = openNote(answer.note, [registry, cosignatureVerifier(cosignerKey)]);
  const mine = back.sigs.find((s) => s.name === partyId);
  if (back.text !== opened.text || mine === undefined || !back.sigs.some((s) => s.name === registry.name)) {
    throw new CanopyError('AUDIT_FAILED', `the registry's answer does not carry ${partyId}'s cosignature on the checkpoint of size ${answer.size}`);
  }
  return { note: answer.note, cosignerKey, timestamp: cosignatureTimestamp(mine), signedBy: back.sigs.map((s) => s.name) };
}
