// @ts-check
/**
 * Checkpoints (C2SP tlog-checkpoint with Canopy's two root lines), parsed and checked in
 * the browser: `parseCheckpoint` reads the text as strictly as core/note/checkpoint.ts, and
 * `openCheckpoint` checks a signed checkpoint note against the registry's key and the
 * witnesses' cosigner keys, reporting each signature line instead of stopping at the first.
 *
 *     <origin>\n                            non-empty
 *     <size>\n                              canonical decimal, ≤ 2^51
 *     <root hash>\n                         canonical base64 of 32 bytes (RFC 6962 root)
 *     canopy-lots-root <decimal>\n          both Canopy lines or neither, here, canonical
 *     canopy-plots-root <decimal>\n         decimals below the BN254 order r
 *     <other extension line>\n …            at most 64, none starting with "canopy-"
 *
 * What a verdict means: `registry: 'valid'` says the registry's key signed this text and the
 * origin is the key's name (as registry/client.ts `verifyCheckpointNote` requires); a
 * cosignature by an announced witness says that witness saw this checkpoint and checked it
 * consistent with what it saw before (C2SP tlog-cosignature).
 * @module
 */
import { base64Decode } from './bytes.js';
import { ALG_COSIGNATURE, ALG_ED25519, firstBadNoteChar, formatKeyHash, NoteError, parseNote, verifyCosignature, verifyNoteSignature } from './note.js';

/** @typedef {Uint8Array<ArrayBuffer>} Bytes */
/** @typedef {import('./note.js').VerifierKey} VerifierKey */

/** BN254 scalar field order r: Canopy roots are canonical decimals below it. */
export const FIELD_ORDER = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/**
 * @typedef {object} Checkpoint
 * @property {string} origin
 * @property {number} size
 * @property {Bytes} rootHash
 * @property {string} rootHashBase64 - as on the third line
 * @property {string | null} lotsRoot - canonical decimal, or null without Canopy lines
 * @property {string | null} plotsRoot
 * @property {string[]} extensions - other extension lines
 */

/**
 * Parses checkpoint text (attacker-controlled).
 * @param {string} text - the note's text, ending in "\n"
 * @returns {Checkpoint}
 * @throws {NoteError} naming the first rule broken
 * @example parseCheckpoint('registry.test/canopy\n3\n…=\ncanopy-lots-root 0\ncanopy-plots-root 0\n').size // 3
 */
export function parseCheckpoint(text) {
  if (typeof text !== 'string' || text.length > 1 << 20) throw new NoteError('checkpoint is not text of at most 1 MiB');
  if (!text.endsWith('\n')) throw new NoteError('checkpoint does not end in a newline');
  if (firstBadNoteChar(text) >= 0) throw new NoteError('checkpoint holds a control character');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new NoteError('checkpoint needs origin, size and root hash');
  if (lines.length > 3 + 2 + 64) throw new NoteError('checkpoint has more than 64 extension lines');
  lines.forEach((l, i) => {
    if (l === '') throw new NoteError(`checkpoint line ${i + 1} is empty`);
  });
  const [origin, sizeLine, rootLine] = /** @type {[string, string, string]} */ (lines);
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeLine) || Number(sizeLine) > 2 ** 51) throw new NoteError(`tree size ${JSON.stringify(sizeLine.slice(0, 40))} is not a canonical decimal ≤ 2^51`);
  const rootHash = base64Decode(rootLine);
  if (rootHash === null || rootHash.length !== 32) throw new NoteError('root hash is not canonical base64 of 32 bytes');
  let rest = lines.slice(3);
  let lotsRoot = null;
  let plotsRoot = null;
  if (rest[0]?.startsWith('canopy-lots-root ')) {
    if (!rest[1]?.startsWith('canopy-plots-root ')) throw new NoteError('canopy-lots-root without canopy-plots-root after it');
    lotsRoot = fieldDecimal(rest[0].slice('canopy-lots-root '.length), 'canopy-lots-root');
    plotsRoot = fieldDecimal(rest[1].slice('canopy-plots-root '.length), 'canopy-plots-root');
    rest = rest.slice(2);
  }
  for (const l of rest) if (l.startsWith('canopy-')) throw new NoteError(`unexpected or misplaced Canopy line ${JSON.stringify(l.slice(0, 40))}`);
  if (rest.length > 64) throw new NoteError('checkpoint has more than 64 extension lines');
  return { origin, size: Number(sizeLine), rootHash, rootHashBase64: rootLine, lotsRoot, plotsRoot, extensions: rest };
}

/**
 * @param {string} value
 * @param {string} title
 * @returns {string}
 */
function fieldDecimal(value, title) {
  if (!/^(0|[1-9][0-9]{0,76})$/.test(value) || BigInt(value) >= FIELD_ORDER) throw new NoteError(`${title} is not a canonical field element`);
  return value;
}

/**
 * @typedef {object} SignatureReport
 * @property {string} name
 * @property {string} keyHash - 8 hex digits
 * @property {'registry' | 'witness' | 'unknown'} signer - whose key the line names
 * @property {'valid' | 'invalid' | 'unchecked'} status - unchecked: no announced key names it
 * @property {number | null} timestamp - cosignature time, POSIX seconds
 * @property {string | null} witness - the witness's party id
 */

/**
 * @typedef {object} CheckpointReport
 * @property {Checkpoint} checkpoint
 * @property {string} text - the signed text
 * @property {'valid' | 'invalid' | 'missing'} registry - the registry key's signature
 * @property {boolean} originMatches - the origin line is the registry key's name
 * @property {SignatureReport[]} signatures - every line, in note order
 * @property {boolean} trusted - registry signature valid, origin matches, no line by a known key invalid
 */

/**
 * Checks a signed checkpoint note against the registry's key and the witnesses' cosigner keys.
 * @param {string} note - the signed note (attacker-controlled)
 * @param {VerifierKey} registryKey - type 0x01
 * @param {{ partyId: string, key: VerifierKey }[]} witnesses - type 0x04 keys
 * @returns {Promise<CheckpointReport>}
 * @throws {NoteError} if the note or its checkpoint text is malformed
 * @example (await openCheckpoint(note, registryKey, [])).trusted // true
 */
export async function openCheckpoint(note, registryKey, witnesses) {
  const parsed = parseNote(note);
  const checkpoint = parseCheckpoint(parsed.text);
  /** @type {SignatureReport[]} */
  const signatures = [];
  let registry = /** @type {'valid' | 'invalid' | 'missing'} */ ('missing');
  for (const sig of parsed.signatures) {
    /** @type {SignatureReport} */
    const report = { name: sig.name, keyHash: formatKeyHash(sig.keyHash), signer: 'unknown', status: 'unchecked', timestamp: null, witness: null };
    if (registryKey.type === ALG_ED25519 && sig.name === registryKey.name && sig.keyHash === registryKey.keyHash) {
      report.signer = 'registry';
      report.status = (await verifyNoteSignature(parsed.text, sig, registryKey)) ? 'valid' : 'invalid';
      registry = report.status === 'valid' ? 'valid' : 'invalid';
    } else {
      const w = witnesses.find((x) => x.key.type === ALG_COSIGNATURE && x.key.name === sig.name && x.key.keyHash === sig.keyHash);
      if (w !== undefined) {
        const r = await verifyCosignature(parsed.text, sig, w.key);
        report.signer = 'witness';
        report.witness = w.partyId;
        report.status = r.valid ? 'valid' : 'invalid';
        report.timestamp = r.timestamp;
      } else if (sig.payload.length === 72) {
        // Shaped like a cosignature: show its time, unverified.
        const t = new DataView(sig.payload.buffer, sig.payload.byteOffset, 8).getBigUint64(0);
        report.timestamp = t <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(t) : null;
      }
    }
    signatures.push(report);
  }
  const originMatches = checkpoint.origin === registryKey.name;
  const trusted = registry === 'valid' && originMatches && signatures.every((s) => s.status !== 'invalid');
  return { checkpoint, text: parsed.text, registry, originMatches, signatures, trusted };
}
