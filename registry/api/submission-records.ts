/**
 * Who submitted which entries: an auditor-only record kept beside the log, never in it.
 * The log's entries name no submitter by design (a submitter field would tell every
 * reader who holds each lot, docs/registry.md); an auditor or competent authority may
 * still need to know which accredited party sent an entry, so the HTTP layer passes the
 * authenticated submitter to `RegistryLog.append`, and the store writes one `submissions`
 * row per entry in the same transaction as the entry itself (store contract rule 1):
 *
 *     submissions(seq PK, key_id, kind, role, submitted_at)
 *     kind: party (a registered party), accreditor (the admin key), operator (entries the
 *     registry appends itself, such as the artifacts entry of its setup folder at start)
 *
 * So an acknowledged entry appended through the API always has its row: there is no moment
 * at which the entry is stored and its submitter not. Entries appended without a submitter
 * (by a program calling the log directly) are listed as `unrecorded`.
 * @module
 */
import { assertInteger } from '../../core/assert.ts';
import type { RegistryStore, SubmissionRow } from '../store/store.ts';

/** Most entries one submission request may carry. */
export const MAX_SUBMIT_ENTRIES = 100;

/** Most entries one page of submission records may cover. */
export const MAX_SUBMISSION_PAGE = 100;

/** Who submitted one entry. */
export type SubmissionRecord = SubmissionRow;

/** Reads submitter rows for auditors. See the module comment. */
export class SubmissionRecords {
  readonly #store: RegistryStore;

  /** @example new SubmissionRecords(log.store) */
  constructor(store: RegistryStore) {
    this.#store = store;
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
    const to = Math.max(start, Math.min(end, logSize));
    const submissions = await this.#store.readSubmissions(start, to);
    const recorded = new Set(submissions.map((r) => r.sequence));
    const unrecorded: number[] = [];
    for (let s = start; s < to; s++) if (!recorded.has(s)) unrecorded.push(s);
    return { submissions, unrecorded };
  }
}
