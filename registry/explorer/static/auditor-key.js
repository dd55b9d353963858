// @ts-check
/**
 * The signed-in auditor's key: a registered auditor signs in with the note signer key
 * `canopy registry keygen` wrote for them, and the page signs its requests to the auditor-only
 * route as registry/api/request-signature.ts expects.
 *
 * The key stays in this page's memory only: it is imported into WebCrypto as a
 * non-extractable Ed25519 key (the seed bytes are overwritten once imported), never written
 * to storage, cookies or the URL, and signing out or closing the tab drops it.
 *
 *     Canopy-Key-Id: <party id>   Canopy-Timestamp: <Unix s>   Canopy-Nonce: <22 of base64url>
 *     Canopy-Signature: base64(Ed25519(
 *       "canopy-request/v1\n" "GET\n" <target as sent> "\n" <SHA-256("") hex> "\n"
 *       <timestamp> "\n" <nonce> "\n" <key id> "\n"))
 * @module
 */
import { base64Encode, hex, utf8 } from './bytes.js';
import { parseSignerKey, pkcs8FromSeed } from './note.js';

/**
 * @typedef {object} AuditorKey
 * @property {string} partyId - the key id requests are signed as
 * @property {string} keyName - the note key's name
 * @property {string} publicKey - base64, as the registry registered it
 * @property {CryptoKey} signingKey - non-extractable
 */

/** @type {AuditorKey | null} */
let signedIn = null;
/** Seconds to add to this computer's clock (from the server's Date header), for timestamps. */
let clockOffsetSeconds = 0;

/**
 * Reads a signer key and prepares signing (does not ask the registry anything).
 * @param {string} keyText - "PRIVATE+KEY+…"
 * @param {string} partyId - the party id to sign as (usually the key's name)
 * @returns {Promise<AuditorKey>} the key, ready to sign (not yet in use: call `signIn`)
 * @throws {NoteError} if the key is malformed; {TypeError} if the party id is not text
 * @example const s = await readAuditorKey(text, 'auditor-1')
 */
export async function readAuditorKey(keyText, partyId) {
  if (typeof partyId !== 'string') throw new TypeError('"partyId" expected string');
  const key = await parseSignerKey(keyText);
  const signingKey = await crypto.subtle.importKey('pkcs8', pkcs8FromSeed(key.seed), { name: 'Ed25519' }, false, ['sign']);
  key.seed.fill(0);
  return { partyId: partyId === '' ? key.name : partyId, keyName: key.name, publicKey: base64Encode(key.publicKey), signingKey };
}

/**
 * Signs in with a key `readAuditorKey` prepared.
 * @param {AuditorKey} s
 * @throws never
 * @example signIn(await readAuditorKey(text, 'auditor-1'))
 */
export function signIn(s) {
  signedIn = s;
}

/**
 * Signs out: drops the key.
 * @throws never
 * @example signOut()
 */
export function signOut() {
  signedIn = null;
}

/**
 * The signed-in auditor's public part, or null.
 * @returns {{ partyId: string, keyName: string, publicKey: string } | null}
 * @throws never
 * @example currentAuditor()?.partyId // 'auditor-1'
 */
export function currentAuditor() {
  return signedIn === null ? null : { partyId: signedIn.partyId, keyName: signedIn.keyName, publicKey: signedIn.publicKey };
}

/**
 * Sets the clock offset from an HTTP Date header; false if the header is absent or unreadable.
 * @param {string | null | undefined} dateHeader
 * @returns {boolean}
 * @throws never
 * @example adjustClock(response.headers.get('date'))
 */
export function adjustClock(dateHeader) {
  const t = dateHeader ? Date.parse(dateHeader) : NaN;
  if (!Number.isFinite(t)) return false;
  clockOffsetSeconds = Math.round((t - Date.now()) / 1000);
  return true;
}

/**
 * The four signed-request headers for a body-less request.
 * @param {'GET'} method
 * @param {string} target - path and query exactly as they will be sent
 * @returns {Promise<Record<string, string>>}
 * @throws {Error} if nobody is signed in
 * @example await fetch(target, { headers: await signedHeaders('GET', target) })
 */
export async function signedHeaders(method, target) {
  if (signedIn === null) throw new Error('sign in as an auditor first');
  const timestamp = Math.floor(Date.now() / 1000) + clockOffsetSeconds;
  const nonceBytes = crypto.getRandomValues(new Uint8Array(16));
  const nonce = base64Encode(nonceBytes).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
  const bodySha256 = hex(new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(0))));
  const signing = `canopy-request/v1\n${method}\n${target}\n${bodySha256}\n${timestamp}\n${nonce}\n${signedIn.partyId}\n`;
  const signature = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, signedIn.signingKey, utf8(signing)));
  return {
    'canopy-key-id': signedIn.partyId,
    'canopy-timestamp': String(timestamp),
    'canopy-nonce': nonce,
    'canopy-signature': base64Encode(signature),
  };
}
