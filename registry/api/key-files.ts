/**
 * Key files of the registry and its parties. Every key is a note key (core/note/note-key.ts,
 * Ed25519): a signer key file holds one line "PRIVATE+KEY+<name>+<hash>+<base64>" and is
 * created with mode 0600 (never overwritten); its verifier key "<name>+<hash>+<base64>"
 * goes beside it in a `.vkey` file, which is public.
 *
 *     registry data folder      DIR/registry.key (0600)   DIR/registry.vkey
 *     a party or accreditor     F.key (0600)              F.vkey
 *
 * The registry's key name is its log origin (the first line of every checkpoint), so a
 * client opening a checkpoint with the verifier key also learns which log signed it.
 * @module
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { ed25519 } from '@noble/curves/ed25519.js';
import { assertString } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { ed25519VerifierKey, generateNoteKey, parseSignerKey } from '../../core/note/note-key.ts';

/** A note key pair as files hold it. */
export interface KeyPairText {
  /** The key's name. */
  name: string;
  signerKey: string;
  verifierKey: string;
  /** Raw Ed25519 public key, canonical base64 (what a party registration carries). */
  publicKey: string;
}

/**
 * Where the verifier key of a signer key file goes: "x.key" → "x.vkey", else "<file>.vkey".
 * @throws {TypeError} if not a string
 * @example verifierKeyPath('data/registry.key') // 'data/registry.vkey'
 */
export function verifierKeyPath(keyFile: string): string {
  assertString(keyFile, 'keyFile', 4096);
  return keyFile.endsWith('.key') ? `${keyFile.slice(0, -'.key'.length)}.vkey` : `${keyFile}.vkey`;
}

/**
 * The key pair of a signer key string.
 * @throws {CanopyError} KEY_MALFORMED
 * @example keyPairOf(signerKey).publicKey
 */
export function keyPairOf(signerKey: string): KeyPairText {
  const { name, seed } = parseSignerKey(signerKey);
  const pub = ed25519.getPublicKey(seed);
  return { name, signerKey, verifierKey: ed25519VerifierKey(name, pub), publicKey: Buffer.from(pub).toString('base64') };
}

/**
 * Reads a signer key file (one line; a final newline is allowed).
 * @throws {CanopyError} NOT_FOUND if missing; KEY_MALFORMED if not a signer key (the
 *   message never quotes the file)
 * @example const skey = readSignerKeyFile('data/registry.key')
 */
export function readSignerKeyFile(path: string): KeyPairText {
  assertString(path, 'path', 4096);
  if (!existsSync(path)) throw new CanopyError('NOT_FOUND', `no key file ${path}`);
  const text = readFileSync(path, 'utf8');
  const line = text.endsWith('\n') ? text.slice(0, -1) : text;
  try {
    return keyPairOf(line);
  } catch (e) {
    throw new CanopyError('KEY_MALFORMED', `${path} does not hold a note signer key (PRIVATE+KEY+<name>+<hash>+<key>)`, { cause: e });
  }
}

/**
 * Generates a key pair and writes `path` (mode 0600, refusing to overwrite) and its `.vkey`.
 * @throws {TypeError|RangeError} for a bad name; {CanopyError} INVALID_INPUT if the file exists
 * @example const { verifierKey } = writeNewKeyFile('mill-7.key', 'mill-7')
 */
export function writeNewKeyFile(path: string, name: string): KeyPairText {
  assertString(path, 'path', 4096);
  if (existsSync(path)) throw new CanopyError('INVALID_INPUT', `${path} exists; refusing to overwrite a key`);
  const pair = keyPairOf(generateNoteKey(name).signerKey);
  // 'wx': fail if it appeared meanwhile; the mode applies at creation.
  writeFileSync(path, `${pair.signerKey}\n`, { mode: 0o600, flag: 'wx' });
  writeFileSync(verifierKeyPath(path), `${pair.verifierKey}\n`);
  return pair;
}

/**
 * Reads the registry's key, creating it (and its .vkey) on first start.
 * @param keyFile - the signer key file (created with mode 0600 if missing)
 * @param origin - the log origin; must equal the name of an existing key
 * @param defaultOrigin - the name of a key created without `origin`
 * @throws {CanopyError} KEY_MALFORMED; INVALID_INPUT if origin differs from the existing key's name, or the key file is readable by others
 * @example const { key, created } = loadOrCreateRegistryKey('data/registry.key', 'registry.example/canopy')
 */
export function loadOrCreateRegistryKey(keyFile: string, origin: string | undefined, defaultOrigin: string): { key: KeyPairText; created: boolean } {
  if (!existsSync(keyFile)) {
    const key = writeNewKeyFile(keyFile, origin ?? defaultOrigin);
    return { key, created: true };
  }
  if ((statSync(keyFile).mode & 0o077) !== 0) throw new CanopyError('INVALID_INPUT', `${keyFile} is readable by group or others; run chmod 600 ${keyFile}`);
  const key = readSignerKeyFile(keyFile);
  if (origin !== undefined && origin !== key.name) throw new CanopyError('INVALID_INPUT', `--origin ${origin} differs from the name of the existing key ${keyFile} (${key.name}); the origin is fixed when the key is made`);
  const vkeyFile = verifierKeyPath(keyFile);
  if (!existsSync(vkeyFile)) writeFileSync(vkeyFile, `${key.verifierKey}\n`);
  return { key, created: false };
}

/**
 * A verifier key given on the command line: the key itself, or a file holding it.
 * @throws {CanopyError} NOT_FOUND if it is neither a key (contains "+") nor an existing file
 * @example readVerifierKeyArg('accreditor.vkey')
 */
export function readVerifierKeyArg(value: string): string {
  assertString(value, 'value', 4096);
  if (existsSync(value) && statSync(value).isFile()) return readFileSync(value, 'utf8').trim();
  if (value.includes('+')) return value;
  throw new CanopyError('NOT_FOUND', `${value} is neither a verifier key (<name>+<hash>+<key>) nor a file`);
}
