/**
 * File helpers of the disclosure commands (internal): inputs read with a size bound and a
 * NOT_FOUND naming the file; disclosures written privately and atomically.
 * @module
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { CanopyError } from '../../core/errors.ts';

/** Largest input file read (proof, opening, GeoJSON, note opening), bytes. */
export const MAX_INPUT_BYTES = 64 << 20;

/**
 * Reads a UTF-8 input file.
 * @throws {CanopyError} NOT_FOUND if missing; INVALID_INPUT if larger than MAX_INPUT_BYTES
 * @example const text = await readInputText('farm.proof.json')
 */
export async function readInputText(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new CanopyError('NOT_FOUND', `no file ${file}`);
    throw e;
  }
  if (text.length > MAX_INPUT_BYTES) throw new CanopyError('INVALID_INPUT', `${file}: more than ${MAX_INPUT_BYTES} bytes`);
  return text;
}

/**
 * Writes a private file with mode 0600, atomically: a temporary file beside it, renamed over.
 * @throws file system errors (the temporary file is removed)
 * @example await writePrivate('farm.disclosure.json', formatDisclosure(d))
 */
export async function writePrivate(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, text, { mode: 0o600 });
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
