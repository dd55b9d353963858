/**
 * The entries of the registry log and their canonical bytes.
 *
 * An entry is `{ type, version, body }`; its bytes are the RFC 8785 canonical JSON of that
 * object (core/canonical-json.ts), and its leaf in the SHA-256 log is
 * `SHA-256(0x00 ‖ bytes)` (RFC 6962 §2.1, core/tlog/hash.ts). Members are sorted, no
 * whitespace; shown spread out, a transition is
 *
 *     { "body": {
 *         "proof": {                                   a ProofBundle
 *           "circuit": "lot_transition",               circuit id (circuits/circuits.json)
 *           "proof": { "curve": "bn128", "pi_a": […], "pi_b": […], "pi_c": […],
 *                      "protocol": "groth16" },        snarkjs Groth16 proof
 *           "publicSignals": { "factorDen": "1", …,    signals BY NAME (circuit-signals.ts)
 *                              "nullifiers": ["…", "0"], "root": "…" },
 *           "vkeyHash": "3f9a…"                        SHA-256 of the verification key, 64 hex
 *         } },
 *       "type": "transition",
 *       "version": 1 }
 *
 * | type                 | body                                                            |
 * | -------------------- | --------------------------------------------------------------- |
 * | `party-registration` | `partyId`, `role` (supplier, publisher, accreditor, auditor), `publicKey` (Ed25519, base64) |
 * | `party-revocation`   | `partyId`, `reason` (text, may be empty)                        |
 * | `dataset`            | `datasetRoot` (decimal field element), `manifestSha256` (64 hex), `name` |
 * | `plot-attestation`   | `windows`: 1..40 ProofBundles of `plot_window`                  |
 * | `lot-mint`           | `proof`: a ProofBundle of `lot_mint` or `capacity_mint`         |
 * | `transition`         | `proof`: a ProofBundle of `lot_transition`                      |
 * | `capacity-issue`     | `proof`: a ProofBundle of `capacity_issue`                      |
 * | `artifacts`          | `profile`, `circuits`: { <circuit id>: { `vkeyHash`, `zkeyHash`, `r1csHash` } } (64 hex each, the setup manifest's SHA-256s) |
 *
 * What each proof-bearing entry adds to the trees and the nullifier set is fixed by
 * interpretation.ts, by signal name. Entries name no submitter: the proofs exist so that
 * the log does not learn who holds a lot, and a submitter field would tell it.
 *
 * Parsing is strict (`assertLogEntry`, `decodeEntry`): exactly the members above at every
 * level, each of the right type and range; decimal field elements canonical; text without
 * control characters; `decodeEntry` also requires the bytes to be exactly the canonical
 * encoding of what they parse to, so one entry has one byte string and one leaf hash.
 * @module
 */
import { assertArray, assertInteger, assertString, rangeError, typeError } from '../../core/assert.ts';
import { canonicalJsonBytes } from '../../core/canonical-json.ts';
import { parseField } from '../../core/field.ts';
import { type Hash, leafHash } from '../../core/tlog/hash.ts';
import { assertGroth16Proof, type Groth16Proof } from '../../circuits/toolchain/prove.ts';
import { assertPartyId, assertPublicKey } from '../store/store.ts';
import { assertCircuitId, assertNamedPublicSignals, type CircuitId, type NamedPublicSignals } from './circuit-signals.ts';
import { ENTRY_CIRCUITS } from './interpretation.ts';

/** The entry format version this code writes and reads. */
export const ENTRY_VERSION = 1;

/**
 * Largest entry encoding accepted, in bytes: 65 535, the most a C2SP tlog-tiles entry
 * bundle can carry (each entry is prefixed by a big-endian uint16 length;
 * registry/tiles/entry-bundle.ts), so that every entry of the log can be served and
 * exported as tiles.
 */
export const MAX_ENTRY_BYTES = 0xffff;

/**
 * Most windows in one plot attestation, so that the largest attestation the format allows
 * fits MAX_ENTRY_BYTES with room to spare. Measured (canonical JSON): one `plot_window`
 * bundle is at most 1 447 bytes (every coordinate and signal 77 decimal digits, the most a
 * value below the BN254 base or scalar field order has; real proofs give about 1 060), and
 * the entry around its windows 61 bytes less one comma; so 45 windows would fit
 * (65 175 bytes), and 40 take at most 57 940 bytes, leaving 7.4 KiB. A plot of more
 * windows is attested by several plot-attestation entries (docs/registry.md).
 */
export const MAX_PLOT_WINDOWS = 40;

/** Longest dataset name and revocation reason, in UTF-16 code units. */
export const MAX_TEXT_LENGTH = 500;

/** Every entry type, in the order the docs list them. */
export const ENTRY_TYPES = ['party-registration', 'party-revocation', 'dataset', 'plot-attestation', 'lot-mint', 'transition', 'capacity-issue', 'artifacts'] as const;

/** The type of a log entry. */
export type EntryType = (typeof ENTRY_TYPES)[number];

/** Entry types whose body carries zk proofs. */
export type ProofEntryType = 'plot-attestation' | 'lot-mint' | 'transition' | 'capacity-issue';

/** Roles a party may be registered with. */
export const PARTY_ROLES = ['supplier', 'publisher', 'accreditor', 'auditor'] as const;

/** A party's role. */
export type PartyRole = (typeof PARTY_ROLES)[number];

/** A zk proof as an entry carries it. Plain JSON-safe data. */
export interface ProofBundle {
  /** The circuit proven. */
  circuit: CircuitId;
  /** SHA-256 of the verification key file, 64 lowercase hex (setup manifest `files.vkey.sha256`). */
  vkeyHash: string;
  /** The snarkjs Groth16 proof. */
  proof: Groth16Proof;
  /** The public signals by name. */
  publicSignals: NamedPublicSignals;
}

/** Registers a party allowed to submit (suppliers, publishers) or to administer and audit. */
export interface PartyRegistrationEntry {
  type: 'party-registration';
  version: 1;
  body: { partyId: string; role: PartyRole; publicKey: string };
}

/** Revokes a registered party. */
export interface PartyRevocationEntry {
  type: 'party-revocation';
  version: 1;
  body: { partyId: string; reason: string };
}

/** Registers a committed dataset (docs/datasets.md): its Poseidon root and its manifest's SHA-256. */
export interface DatasetEntry {
  type: 'dataset';
  version: 1;
  body: { datasetRoot: string; manifestSha256: string; name: string };
}

/** A plot attestation: one proof per window of the plot, each adding its leaf to the plots tree. */
export interface PlotAttestationEntry {
  type: 'plot-attestation';
  version: 1;
  body: { windows: ProofBundle[] };
}

/** Mints a lot (lot_mint) or a deforestation-free lot from harvest capacity (capacity_mint). */
export interface LotMintEntry {
  type: 'lot-mint';
  version: 1;
  body: { proof: ProofBundle };
}

/** Transfers, merges, splits or processes lots (lot_transition). */
export interface TransitionEntry {
  type: 'transition';
  version: 1;
  body: { proof: ProofBundle };
}

/** Issues a plot's harvest capacity for one year (capacity_issue): a capacity note in the lots tree. */
export interface CapacityIssueEntry {
  type: 'capacity-issue';
  version: 1;
  body: { proof: ProofBundle };
}

/** The SHA-256s of one circuit's setup artifacts, as its setup manifest records them. */
export interface PinnedArtifacts {
  /** The verification key file: what proof bundles name as `vkeyHash`. */
  vkeyHash: string;
  /** The proving key (zkey) file. */
  zkeyHash: string;
  /** The compiled constraint system (r1cs) file. */
  r1csHash: string;
}

/**
 * Pins circuit artifacts: from this entry on, a proof is accepted only under a verification
 * key some artifacts entry pinned for its circuit (docs/registry.md, "Artifact pinning").
 */
export interface ArtifactsEntry {
  type: 'artifacts';
  version: 1;
  body: { profile: string; circuits: Partial<Record<CircuitId, PinnedArtifacts>> };
}

/** A registry log entry. */
export type LogEntry = PartyRegistrationEntry | PartyRevocationEntry | DatasetEntry | PlotAttestationEntry | LotMintEntry | TransitionEntry | CapacityIssueEntry | ArtifactsEntry;

// C0 and C1 controls, DEL, and the line and paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * Checks a log entry's shape (see the module comment).
 * @param value - the entry (attacker-controlled)
 * @throws {TypeError|RangeError} naming the first bad member, e.g. `"entry.body.proof.circuit" expected …`
 * @example assertLogEntry(JSON.parse(text), 'entry')
 */
export function assertLogEntry(value: unknown, title: string): asserts value is LogEntry {
  const e = plainObject(value, title, ['type', 'version', 'body']);
  if (typeof e.type !== 'string') typeError(`${title}.type`, 'entry type string', e.type);
  if (!(ENTRY_TYPES as readonly string[]).includes(e.type)) rangeError(`${title}.type`, `one of ${ENTRY_TYPES.join(', ')}`, e.type);
  assertInteger(e.version, `${title}.version`, ENTRY_VERSION, ENTRY_VERSION);
  const t = `${title}.body`;
  const type = e.type as EntryType;
  switch (type) {
    case 'party-registration': {
      const b = plainObject(e.body, t, ['partyId', 'role', 'publicKey']);
      assertPartyId(b.partyId, `${t}.partyId`);
      if (typeof b.role !== 'string' || !(PARTY_ROLES as readonly string[]).includes(b.role)) rangeError(`${t}.role`, `one of ${PARTY_ROLES.join(', ')}`, b.role);
      assertPublicKey(b.publicKey, `${t}.publicKey`);
      return;
    }
    case 'party-revocation': {
      const b = plainObject(e.body, t, ['partyId', 'reason']);
      assertPartyId(b.partyId, `${t}.partyId`);
      assertText(b.reason, `${t}.reason`, 0);
      return;
    }
    case 'dataset': {
      const b = plainObject(e.body, t, ['datasetRoot', 'manifestSha256', 'name']);
      parseField(b.datasetRoot, `${t}.datasetRoot`);
      assertHex64(b.manifestSha256, `${t}.manifestSha256`);
      assertText(b.name, `${t}.name`, 1);
      return;
    }
    case 'plot-attestation': {
      const b = plainObject(e.body, t, ['windows']);
      assertArray(b.windows, `${t}.windows`, 1, MAX_PLOT_WINDOWS);
      b.windows.forEach((w, i) => assertProofBundle(w, `${t}.windows[${i}]`, ENTRY_CIRCUITS[type]));
      return;
    }
    case 'lot-mint':
    case 'transition':
    case 'capacity-issue': {
      const b = plainObject(e.body, t, ['proof']);
      assertProofBundle(b.proof, `${t}.proof`, ENTRY_CIRCUITS[type]);
      return;
    }
    case 'artifacts': {
      const b = plainObject(e.body, t, ['profile', 'circuits']);
      assertString(b.profile, `${t}.profile`, 64);
      if (!/^[a-z][a-z0-9_]*$/.test(b.profile)) rangeError(`${t}.profile`, 'profile name of [a-z][a-z0-9_]*, 1..64 characters', b.profile);
      if (typeof b.circuits !== 'object' || b.circuits === null || Array.isArray(b.circuits) || Object.getPrototypeOf(b.circuits) !== Object.prototype) {
        typeError(`${t}.circuits`, 'plain object of circuit ids', b.circuits);
      }
      const ids = Object.keys(b.circuits);
      if (ids.length === 0) rangeError(`${t}.circuits`, 'at least one circuit', '{}');
      for (const id of ids) {
        assertCircuitId(id, `${t}.circuits key`);
        const c = plainObject((b.circuits as Record<string, unknown>)[id], `${t}.circuits.${id}`, ['vkeyHash', 'zkeyHash', 'r1csHash']);
        assertHex64(c.vkeyHash, `${t}.circuits.${id}.vkeyHash`);
        assertHex64(c.zkeyHash, `${t}.circuits.${id}.zkeyHash`);
        assertHex64(c.r1csHash, `${t}.circuits.${id}.r1csHash`);
      }
      return;
    }
  }
}

/**
 * Checks a proof bundle, and that its circuit is one of `circuits`.
 * @throws {TypeError|RangeError} naming the first bad member
 * @example assertProofBundle(bundle, 'proof', ['lot_mint'])
 */
export function assertProofBundle(value: unknown, title: string, circuits: readonly CircuitId[]): asserts value is ProofBundle {
  const p = plainObject(value, title, ['circuit', 'vkeyHash', 'proof', 'publicSignals']);
  assertCircuitId(p.circuit, `${title}.circuit`);
  if (!circuits.includes(p.circuit)) rangeError(`${title}.circuit`, `one of ${circuits.join(', ')} for this entry type`, p.circuit);
  assertHex64(p.vkeyHash, `${title}.vkeyHash`);
  // The Groth16 shape check names fields "proof.pi_a" etc.; keys beyond the five are refused here.
  plainObject(p.proof, `${title}.proof`, ['pi_a', 'pi_b', 'pi_c', 'protocol', 'curve']);
  assertGroth16Proof(p.proof);
  assertNamedPublicSignals(p.circuit, p.publicSignals, `${title}.publicSignals`);
}

/**
 * The canonical bytes of an entry: RFC 8785 JSON of `{ type, version, body }`, UTF-8.
 * @throws {TypeError|RangeError} if the entry is malformed or encodes to more than MAX_ENTRY_BYTES
 * @example encodeEntry({ type: 'party-revocation', version: 1, body: { partyId: 'mill-7', reason: '' } })
 */
export function encodeEntry(entry: LogEntry): Uint8Array {
  assertLogEntry(entry, 'entry');
  const bytes = canonicalJsonBytes(entry, 'entry');
  if (bytes.length > MAX_ENTRY_BYTES) rangeError('entry', `an encoding of at most ${MAX_ENTRY_BYTES} bytes`, `${bytes.length} bytes`);
  return bytes;
}

/**
 * Parses an entry's bytes, strictly: valid UTF-8 JSON of a well-formed entry, and exactly
 * its canonical encoding (so no two byte strings decode to one entry).
 * @param bytes - the entry bytes (attacker-controlled), at most MAX_ENTRY_BYTES
 * @throws {TypeError} if not a Uint8Array; {RangeError} if too long, not UTF-8 JSON, malformed, or not canonical
 * @example decodeEntry(storedEntry.bytes).type
 */
export function decodeEntry(bytes: Uint8Array): LogEntry {
  if (!(bytes instanceof Uint8Array)) typeError('bytes', 'Uint8Array', bytes);
  if (bytes.length > MAX_ENTRY_BYTES) rangeError('bytes', `at most ${MAX_ENTRY_BYTES} bytes`, bytes);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return rangeError('bytes', 'UTF-8 JSON text', bytes);
  }
  assertLogEntry(json, 'entry');
  const canonical = canonicalJsonBytes(json, 'entry');
  if (canonical.length !== bytes.length || canonical.some((b, i) => b !== bytes[i])) rangeError('bytes', 'the canonical (RFC 8785) encoding of the entry', bytes);
  return json;
}

/**
 * The entry's leaf hash in the log: SHA-256(0x00 ‖ encodeEntry(entry)).
 * @throws {TypeError|RangeError} as `encodeEntry`
 * @example entryLeafHash(entry) // 32 bytes
 */
export function entryLeafHash(entry: LogEntry): Hash {
  return leafHash(encodeEntry(entry));
}

function plainObject(value: unknown, title: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) typeError(title, 'plain object', value);
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!keys.includes(k)) rangeError(title, `only the members ${keys.join(', ')}`, `member ${JSON.stringify(k)}`);
  for (const k of keys) if (!Object.prototype.hasOwnProperty.call(o, k)) typeError(`${title}.${k}`, 'a value', undefined);
  return o;
}

function assertText(value: unknown, title: string, min: number): asserts value is string {
  assertString(value, title, MAX_TEXT_LENGTH);
  if (value.length < min) rangeError(title, `text of ${min}..${MAX_TEXT_LENGTH} characters`, value);
  if (CONTROL.test(value)) rangeError(title, 'text without control characters', value);
}

function assertHex64(value: unknown, title: string): asserts value is string {
  assertString(value, title, 64);
  if (!/^[0-9a-f]{64}$/.test(value)) rangeError(title, '64 lowercase hex digits (a SHA-256)', value);
}
