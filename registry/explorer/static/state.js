// @ts-check
/**
 * What the explorer's views share: the configuration the server announces, the registry key
 * checkpoints are checked against (announced, or pinned by the user), the witnesses' cosigner
 * keys, and cached reads of checkpoints, entries and artifacts.
 *
 * Every checkpoint the views show goes through `openCheckpoint` here: the values a view
 * displays or checks a proof against (size, root hash, lots and plots roots) are read from
 * the signed note, never from the unsigned JSON fields beside it.
 * @module
 */
import { api } from './api.js';
import { openCheckpoint } from './checkpoint.js';
import { ALG_COSIGNATURE, parseVerifierKey } from './note.js';

/** @typedef {import('./api.js').SignedCheckpointRecord} SignedCheckpointRecord */
/** @typedef {import('./api.js').ServedEntry} ServedEntry */
/** @typedef {import('./checkpoint.js').CheckpointReport} CheckpointReport */
/** @typedef {import('./note.js').VerifierKey} VerifierKey */
/** @typedef {Awaited<ReturnType<typeof api.config>>} ExplorerConfig */
/** @typedef {Awaited<ReturnType<typeof api.artifacts>>} Artifacts */

/**
 * A checkpoint as the views use it: the registry's record and the page's own check of its note.
 * @typedef {object} CheckedCheckpoint
 * @property {SignedCheckpointRecord | null} record - null for the note of GET /checkpoint before its record is found
 * @property {string} note
 * @property {CheckpointReport | null} report - null when the note could not be parsed or no key is set
 * @property {string | null} error - why report is null
 */

/**
 * Most entries kept in memory.
 * @throws see each method
 * @example const state = await ExplorerState.load(); const latest = await state.latest()
 */
const ENTRY_CACHE_LIMIT = 5000;

export class ExplorerState {
  /**
   * @param {ExplorerConfig} config
   */
  constructor(config) {
    this.config = config;
    /** @type {{ key: VerifierKey, source: 'announced' | 'pinned' } | null} */
    this.registryKey = null;
    /** Why the announced key could not be used, if it could not. */
    this.registryKeyError = /** @type {string | null} */ (null);
    /** @type {{ partyId: string, key: VerifierKey }[]} */
    this.witnesses = [];
    /** False when the registry has no GET /v1/witnesses. */
    this.witnessesAnnounced = false;
    /** @type {Promise<Artifacts> | null} */
    this.artifactsPromise = null;
    /** @type {Map<number, ServedEntry>} */
    this.entryCache = new Map();
    /** @type {Map<string, Promise<CheckedCheckpoint>>} note text → its check */
    this.checks = new Map();
  }

  /**
   * Reads the configuration, the announced key and the witnesses.
   * @returns {Promise<ExplorerState>}
   * @throws {ApiError} if the registry does not answer
   */
  static async load() {
    const state = new ExplorerState(await api.config());
    if (state.config.registryKey !== null) {
      try {
        state.registryKey = { key: await parseVerifierKey(state.config.registryKey), source: 'announced' };
      } catch (e) {
        state.registryKeyError = e instanceof Error ? e.message : String(e);
      }
    }
    await state.loadWitnesses();
    return state;
  }

  /** Reads the witnesses' cosigner keys (GET /v1/witnesses); keys that do not parse are left out. */
  async loadWitnesses() {
    const list = await api.witnesses();
    this.witnessesAnnounced = list !== null;
    this.witnesses = [];
    for (const w of list ?? []) {
      try {
        this.witnesses.push({ partyId: w.partyId, key: await parseVerifierKey(w.cosignerKey, ALG_COSIGNATURE) });
      } catch {
        // A malformed announced key checks nothing; its cosignatures stay "unchecked".
      }
    }
    this.checks.clear();
  }

  /**
   * Pins another registry key (or, with null, goes back to the announced one).
   * @param {string | null} text
   * @throws {NoteError} if the key is malformed
   */
  async pinRegistryKey(text) {
    if (text === null) {
      this.registryKey = this.config.registryKey === null ? null : { key: await parseVerifierKey(this.config.registryKey), source: 'announced' };
    } else {
      this.registryKey = { key: await parseVerifierKey(text), source: 'pinned' };
    }
    this.checks.clear();
  }

  /**
   * Checks a signed checkpoint note with the current keys (cached by note text).
   * @param {string} note
   * @param {SignedCheckpointRecord | null} record
   * @returns {Promise<CheckedCheckpoint>}
   */
  check(note, record) {
    let p = this.checks.get(note);
    if (p === undefined) {
      p = (async () => {
        if (this.registryKey === null) return { record, note, report: null, error: 'no registry key to check against' };
        try {
          return { record, note, report: await openCheckpoint(note, this.registryKey.key, this.witnesses), error: null };
        } catch (e) {
          return { record, note, report: null, error: e instanceof Error ? e.message : String(e) };
        }
      })();
      this.checks.set(note, p);
    }
    return p.then((c) => ({ ...c, record: record ?? c.record }));
  }

  /**
   * The latest checkpoint (GET /checkpoint), checked, with its record when the history has it.
   * @param {AbortSignal} [signal]
   * @returns {Promise<CheckedCheckpoint>}
   */
  async latest(signal) {
    const note = await api.checkpointNote(signal);
    const checked = await this.check(note, null);
    if (checked.report === null) return checked;
    const [record] = await api.checkpoints(checked.report.checkpoint.size, 1, signal);
    return { ...checked, record: record !== undefined && record.note.startsWith(checked.report.text) ? record : null };
  }

  /**
   * The signed checkpoint of exactly `size` entries, checked, or null if none was signed.
   * @param {number} size
   * @param {AbortSignal} [signal]
   * @returns {Promise<CheckedCheckpoint | null>}
   */
  async checkpointAt(size, signal) {
    const [record] = await api.checkpoints(size, 1, signal);
    if (record === undefined || record.size !== size) return null;
    return this.check(record.note, record);
  }

  /**
   * The last signed checkpoint whose registry time is at or before `ms`, or null if none is.
   * Checkpoint times only grow with size, so this bisects over sizes with one
   * `GET /v1/checkpoints?from=x&limit=1` per step (≤ 52 requests).
   * @param {number} ms
   * @param {number} latestSize
   * @param {AbortSignal} [signal]
   * @returns {Promise<SignedCheckpointRecord | null>}
   */
  async lastCheckpointAtOrBefore(ms, latestSize, signal) {
    /** @type {(x: number) => Promise<SignedCheckpointRecord | null>} */
    const first = async (x) => (await api.checkpoints(x, 1, signal))[0] ?? null;
    const c0 = await first(0);
    if (c0 === null || c0.signedAt > ms) return null;
    // Invariant: first(lo) is at or before ms; first(x) for x > hi is not (or does not exist).
    let lo = 0;
    let hi = latestSize;
    let best = c0;
    while (lo < hi) {
      const mid = Math.floor((lo + hi + 1) / 2);
      const c = await first(mid);
      if (c !== null && c.signedAt <= ms) {
        lo = Math.max(mid, c.size);
        best = c;
      } else {
        hi = mid - 1;
      }
    }
    return best;
  }

  /**
   * For entries [lo, hi), the first checkpoint that covers each (size > sequence): when it
   * was first published. Reads the history from size lo + 1 in pages.
   * @param {number} lo
   * @param {number} hi
   * @param {AbortSignal} [signal]
   * @returns {Promise<(seq: number) => SignedCheckpointRecord | null>}
   */
  async coveringCheckpoints(lo, hi, signal) {
    /** @type {SignedCheckpointRecord[]} */
    const list = [];
    let from = lo + 1;
    for (;;) {
      const page = await api.checkpoints(from, this.config.limits.checkpointsPage, signal);
      list.push(...page);
      const last = page.at(-1);
      if (last === undefined || page.length < this.config.limits.checkpointsPage || last.size >= hi) break;
      from = last.size + 1;
    }
    return (seq) => list.find((c) => c.size > seq) ?? null;
  }

  /**
   * Entries [start, end) (any length: read in pages), from the cache where it has them.
   * @param {number} start
   * @param {number} end
   * @param {AbortSignal} [signal]
   * @returns {Promise<ServedEntry[]>}
   */
  async entries(start, end, signal) {
    /** @type {ServedEntry[]} */
    const out = [];
    let at = start;
    while (at < end) {
      const cached = this.entryCache.get(at);
      if (cached !== undefined) {
        out.push(cached);
        at++;
        continue;
      }
      let to = Math.min(end, at + this.config.limits.entriesPage);
      for (let s = at + 1; s < to; s++) {
        if (this.entryCache.has(s)) {
          to = s;
          break;
        }
      }
      const page = await api.entries(at, to, signal);
      for (const e of page.entries) this.remember(e);
      out.push(...page.entries);
      at = to;
    }
    return out;
  }

  /**
   * One entry.
   * @param {number} seq
   * @param {AbortSignal} [signal]
   * @returns {Promise<ServedEntry>}
   */
  async entry(seq, signal) {
    const cached = this.entryCache.get(seq);
    if (cached !== undefined) return cached;
    const e = await api.entry(seq, signal);
    this.remember(e);
    return e;
  }

  /**
   * @param {ServedEntry} e
   */
  remember(e) {
    if (this.entryCache.size >= ENTRY_CACHE_LIMIT) {
      const oldest = this.entryCache.keys().next();
      if (!oldest.done) this.entryCache.delete(oldest.value);
    }
    this.entryCache.set(e.sequence, e);
  }

  /**
   * The accepted circuit keys (GET /v1/artifacts), read once.
   * @returns {Promise<Artifacts>}
   */
  artifacts() {
    this.artifactsPromise ??= api.artifacts().catch((e) => {
      this.artifactsPromise = null;
      throw e;
    });
    return this.artifactsPromise;
  }
}
