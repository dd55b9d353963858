/**
 * Deterministic passports for the passport tests: field elements are SHA-256 of a label
 * reduced mod r, so every run (and the vector generator) sees the same values.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { hashTagged } from '../../core/domain.ts';
import type { LotNote } from '../../core/lots/note.ts';
import type { LotPassport } from '../../core/passport/lot-passport.ts';
import { R } from '../hostile-inputs.ts';

/** SHA-256 of `label` as a big-endian integer, reduced mod r. */
export function labelled(label: string): bigint {
  let v = 0n;
  for (const b of sha256(new TextEncoder().encode(label))) v = (v << 8n) | BigInt(b);
  return v % R;
}

/** SHA-256 of `label`, truncated to `length` bytes. */
export function labelledBytes(label: string, length = 32): Uint8Array {
  return sha256(new TextEncoder().encode(label)).slice(0, length);
}

/** The note commitment as docs/lots.md writes it: Poseidon(TAG_LOT_NOTE, ownerKey, …, salt). */
export function referenceNoteCommitment(n: LotNote): bigint {
  return hashTagged('LOT_NOTE', [n.ownerKey, n.commodity, n.quantityGrams, n.emissionsGramsCo2e, n.deforestationFree ? 1n : 0n, n.salt]);
}

/** 18 t of green coffee (HS 0901.11), 81 t CO2e, deforestation-free; bearer or owned. */
export function samplePassport(bearer: boolean, label = 'canopy/passport-test'): LotPassport {
  const ownerSecret = labelled(`${label}/owner-secret`);
  return {
    note: {
      ownerKey: hashTagged('OWNER_KEY', [ownerSecret]),
      commodity: 90111n,
      quantityGrams: 18_000_000n,
      emissionsGramsCo2e: 81_000_000n,
      deforestationFree: true,
      salt: labelled(`${label}/salt`),
    },
    ownerSecret: bearer ? ownerSecret : null,
    leafIndex: 41,
    registry: { origin: 'registry.example/canopy', sequence: 1207 },
  };
}
