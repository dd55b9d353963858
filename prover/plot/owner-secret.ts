/**
 * The owner secret of a plot attestation, kept in a file of its own, and random field
 * elements for secrets and salts.
 *
 * File format: the secret as a canonical decimal field element in [1, r), optionally
 * followed by one newline, nothing else ("1234…\n"). Written with permissions 0600 and
 * never over an existing file: losing a secret loses the right to spend what the plot
 * backs, and overwriting one silently would do exactly that.
 *
 * Random elements: 64 bytes from the operating system (crypto.randomBytes) read as a
 * big-endian integer and reduced mod r; the bias is below 2^−250.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { assertString } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { FIELD_ORDER, fieldToString, parseField } from '../../core/field.ts';

/** Longest owner secret file read: a 77-digit decimal and a newline. */
const MAX_SECRET_FILE_BYTES = 80;

/**
 * A uniformly random field element in [1, r).
 * @example const salt = randomFieldElement();
 */
export function randomFieldElement(): bigint {
  for (;;) {
    const x = BigInt(`0x${randomBytes(64).toString('hex')}`) % FIELD_ORDER;
    if (x !== 0n) return x;
  }
}

/**
 * Reads an owner secret file (module doc).
 * @returns the secret, and whether the file is readable by others than its owner
 * @throws {CanopyError} NOT_FOUND if missing; INVALID_INPUT if not one canonical decimal in [1, r)
 * @example const { secret } = await readOwnerSecret('farm.owner-secret');
 */
export async function readOwnerSecret(file: string): Promise<{ secret: bigint; exposed: boolean }> {
  assertString(file, 'ownerSecretFile', 4096);
  let size: number;
  let mode: number;
  try {
    ({ size, mode } = await stat(file));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new CanopyError('NOT_FOUND', `owner secret file not found: ${file}`);
    throw e;
  }
  if (size > MAX_SECRET_FILE_BYTES) throw new CanopyError('INVALID_INPUT', `${file}: ${size} bytes, not an owner secret (one decimal number)`);
  const text = await readFile(file, 'utf8');
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  let secret: bigint;
  try {
    secret = parseField(body, file);
  } catch (e) {
    throw new CanopyError('INVALID_INPUT', `${file}: want one canonical decimal below r and an optional newline`, { cause: e });
  }
  if (secret === 0n) throw new CanopyError('INVALID_INPUT', `${file}: the owner secret 0 is refused`);
  return { secret, exposed: (mode & 0o077) !== 0 };
}

/**
 * Writes a new owner secret file with permissions 0600; refuses to replace a file.
 * @throws {CanopyError} INVALID_INPUT if the file exists
 * @throws {RangeError} if the secret is not in [1, r)
 * @example await writeOwnerSecret('farm.owner-secret', randomFieldElement());
 */
export async function writeOwnerSecret(file: string, secret: bigint): Promise<void> {
  assertString(file, 'ownerSecretFile', 4096);
  if (secret === 0n) throw new RangeError('"secret" expected a field element in [1, r), got 0n');
  const text = `${fieldToString(secret, 'secret')}\n`;
  try {
    // 'wx': create only; the mode applies on creation (the umask can only narrow it).
    await writeFile(file, text, { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CanopyError('INVALID_INPUT', `${file} already exists and is never overwritten: pass it with --owner-secret-file to reuse it, or choose another --out`);
    }
    throw e;
  }
}
