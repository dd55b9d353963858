/**
 * Writes passport-box-v1.json: a known-answer vector for the passport box format
 * (core/passport/passport-encryption.ts), with fixed keys and nonce derived from labels.
 *
 *     node --import tsx tests/vectors/canopy/gen-passport-box.ts
 *
 * The blob is produced by `_sealPassport`; tests/passport/passport-encryption.test.ts
 * re-seals it and opens it with an independent node:crypto implementation, so the file
 * freezes the format and the test ties it to the documented construction.
 * @module
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bytesToHex } from '@noble/hashes/utils.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { passportToJson } from '../../../core/passport/lot-passport.ts';
import { _sealPassport } from '../../../core/passport/passport-encryption.ts';
import { labelledBytes, samplePassport } from '../../passport/_fixtures.ts';

const recipientSecretKey = labelledBytes('canopy/passport-box-v1/recipient');
const ephemeralSecretKey = labelledBytes('canopy/passport-box-v1/ephemeral');
const nonce = labelledBytes('canopy/passport-box-v1/nonce', 24);
const passport = samplePassport(true, 'canopy/passport-box-v1');

const vector = {
  comment: 'Canopy lot passport box, version 1. Inputs derived as SHA-256 of the labels in gen-passport-box.ts.',
  recipientSecretKey: bytesToHex(recipientSecretKey),
  recipientPublicKey: bytesToHex(x25519.getPublicKey(recipientSecretKey)),
  ephemeralSecretKey: bytesToHex(ephemeralSecretKey),
  nonce: bytesToHex(nonce),
  passport: passportToJson(passport),
  blob: bytesToHex(_sealPassport(passport, x25519.getPublicKey(recipientSecretKey), ephemeralSecretKey, nonce)),
};

writeFileSync(fileURLToPath(new URL('passport-box-v1.json', import.meta.url)), `${JSON.stringify(vector, null, 2)}\n`);
