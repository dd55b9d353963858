/**
 * Who submitted which entries: an auditor-only record kept beside the log, never in it.
 * The log's entries name no submitter by design (a submitter field would tell every
 * reader who holds each lot, docs/registry.md); an auditor or competent authority may
 * still need to know which accredited party sent an entry, so the HTTP layer writes one
 * record per accepted request and serves them only to parties with the auditor role.
 *
 * Storage: the store's key-value table (`kvPut`/`kvGet`), one value per request under
 *
 *     audit/submissions/<first sequence>  →  UTF-8 JSON
 *     { "first": 41, "count": 2, "keyId": "mill-7", "kind": "party", "role": "supplier", "submittedAt": 1767225600123 }
 *
 * Invariant: a request's entries have consecutive sequence numbers (the sequencer commits
 * each append call's entries together and in order), so one record covers a request, and
 * the record covering entry s lies at a key in [s − MAX_SUBMIT_ENTRIES + 1, s].
 *
 * Limits of this store seam, stated plainly: the record is written after the append was
 * acknowledged, in its own transaction, so a crash between the two leaves an entry without
 * a record (`read` lists it as unrecorded), and the key-value table has no range scan, so a
 * page costs one look-up per possible key. A `submissions` table written in the append
 * transaction would close both gaps; docs/registry-api.md names it.
 * @module
 */
import { assertArray, assertInteger } from '../../core/assert.ts';
import { bug } from '../../core/errors.ts';
import type { AppendReceipt } from '../log/sequencer.ts';
import type { RegistryStore } from '../store/store.ts';

/** Most entries one submission request may carry (also bounds the record look-back). */
export const MAX_SUBMIT_ENTRIES = 100;

/** Most entries one page of submission records may cover. */
export const MAX_SUBMISSION_PAGE = 100;

/** Who submitted one entry. */
export interface SubmissionRecord {
  sequence: number;
  /** The party id, or the accreditor's key name. */
  keyId: string;
  kind: 'party' | 'accreditor';
  /** The party's role, or "accreditor". */
  role: string;
  /** Milliseconds since 1970, server clock, when the request was acknowledged. */
  submittedAt: number;
}

interface StoredRecord {
  first: number;
  count: number;
  keyId: string;
  kind: 'party' | 'accreditor';
  role: string;
  submittedAt: number;
}

const PREFIX = 'audit/submissions/';

/** Submission records over a store's key-value table. See the module comment. */
export class SubmissionRecords {
  readonly #store: RegistryStore;

  /** @example new SubmissionRecords(log.store) */
  constructor(store: RegistryStore) {
    this.#store = store;
  }

  /**
   * Records who submitted the entries of one acknowledged request.
   * @throws {TypeError|RangeError} if the receipts are empty, too many or not consecutive; whatever the store throws
   * @example await records.record(receipts, { keyId: 'mill-7', kind: 'party', role: 'supplier' }, Date.now())
   */
  async record(receipts: readonly AppendReceipt[], who: { keyId: string; kind: 'party' | 'accreditor'; role: string }, atMs: number): Promise<void> {
    assertArray(receipts, 'receipts', 1, MAX_SUBMIT_ENTRIES);
    const first = receipts[0]!.sequence;
    // Invariant (module comment): one call's entries are consecutive.
    receipts.forEach((r, i) => {
      if (r.sequence !== first + i) bug('SubmissionRecords.record', `receipt ${i} has sequence ${r.sequence}, expected ${first + i}`);
    });
    const value: StoredRecord = { first, count: receipts.length, keyId: who.keyId, kind: who.kind, role: who.role, submittedAt: Math.floor(atMs) };
    await this.#store.kvPut(`${PREFIX}${first}`, new TextEncoder().encode(JSON.stringify(value)));
  }

  /**
   * The records of entries [start, end), and the entries of that range with none.
   * @param logSize - the log's size: entries at or beyond it are neither
   * @throws {TypeError|RangeError} if the range is malformed or longer than MAX_SUBMISSION_PAGE; whatever the store throws
   * @example await records.read(0, 100, head.size)
   */
  async read(start: number, end: number, logSize: number): Promise<{ submissions: SubmissionRecord[]; unrecorded: number[] }> {
    assertInteger(start, 'start');
    assertInteger(end, 'end', start, start + MAX_SUBMISSION_PAGE);
    assertInteger(logSize, 'logSize');
    const to = Math.min(end, logSize);
    const from = Math.max(0, start - MAX_SUBMIT_ENTRIES + 1);
    const keys: number[] = [];
    for (let s = from; s < to; s++) keys.push(s);
    const values = await Promise.all(keys.map((s) => this.#store.kvGet(`${PREFIX}${s}`)));
    const bySequence = new Map<number, SubmissionRecord>();
    values.forEach((v) => {
      if (v === null) return;
      const r = JSON.parse(new TextDecoder().decode(v)) as StoredRecord;
      for (let s = Math.max(r.first, start); s < Math.min(r.first + r.count, to); s++) {
        bySequence.set(s, { sequence: s, keyId: r.keyId, kind: r.kind, role: r.role, submittedAt: r.submittedAt });
      }
    });
    const submissions: SubmissionRecord[] = [];
    const unrecorded: number[] = [];
    for (let s = start; s < to; s++) {
      const r = bySequence.get(s);
      if (r === undefined) unrecorded.push(s);
      else submissions.push(r);
    }
    return { submissions, unrecorded };
  }
}
