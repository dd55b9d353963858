/**
 * SHA-256 and size of a file, streamed in 256 KiB chunks so a granule is never held whole
 * (internal to `prover/dataset`).
 * @module
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Digest of a file: lowercase hex SHA-256 and byte size. */
export interface FileDigest {
  readonly sha256: string;
  readonly bytes: number;
}

/**
 * Hashes a file.
 * @throws the file system's error (ENOENT …) if it cannot be read
 * @example await fileDigest('lossyear.tif') // { sha256: '…', bytes: 4725 }
 */
export async function fileDigest(path: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 18 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}
