// @ts-check
/**
 * The registry API as the explorer calls it: same-origin `fetch` of the public routes of
 * docs/registry-api.md, and of `GET /v1/audit/submissions` signed with the auditor's key
 * (auditor-key.js). Answers are checked for the shape the page reads (a field of the
 * wrong type is `ApiError('RESPONSE_MALFORMED')`), not for truth: signatures and proofs are
 * checked by checkpoint.js and tlog.js against what a verified checkpoint says.
 * @module
 */
import { signedHeaders, adjustClock } from './auditor-key.js';

/**
 * An error answer of the registry (its `{ error: { code, message } }`), or a malformed answer.
 * @throws never
 * @example throw new ApiError(404, 'NOT_FOUND', 'no entry 99')
 */
export class ApiError extends Error {
  /**
   * @param {number} status - HTTP status (0 for a network failure or a malformed answer)
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/**
 * @typedef {object} SignedCheckpointRecord
 * @property {string} note
 * @property {number} size
 * @property {string} rootHash
 * @property {number} lotsSize
 * @property {number} plotsSize
 * @property {string} lotsRoot
 * @property {string} plotsRoot
 * @property {number} signedAt - ms, registry clock, not signed
 */

/**
 * @typedef {object} ServedEntry
 * @property {number} sequence
 * @property {string} leafHash - base64
 * @property {{ type: string, version: number, body: Record<string, any> }} entry
 */

/**
 * @param {boolean} ok
 * @param {string} what
 * @returns {asserts ok}
 */
function expect(ok, what) {
  if (!ok) throw new ApiError(0, 'RESPONSE_MALFORMED', `the registry answered a malformed ${what}`);
}

const isInt = (/** @type {unknown} */ v) => Number.isSafeInteger(v) && /** @type {number} */ (v) >= 0;
const isStr = (/** @type {unknown} */ v) => typeof v === 'string';

/**
 * @param {string} target
 * @param {{ signal?: AbortSignal, headers?: Record<string, string> }} [opts]
 * @returns {Promise<Response>}
 */
async function send(target, opts = {}) {
  let res;
  try {
    res = await fetch(target, { signal: opts.signal, headers: opts.headers, cache: 'no-store', credentials: 'omit' });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'NETWORK', `no answer from the registry for ${target}`);
  }
  if (!res.ok) {
    let code = `HTTP_${res.status}`;
    let message = `${res.status} ${res.statusText} for ${target}`;
    try {
      const j = await res.json();
      if (isStr(j?.error?.code)) code = j.error.code;
      if (isStr(j?.error?.message)) message = j.error.message;
    } catch {
      // not an API error body
    }
    const err = new ApiError(res.status, code, message);
    /** @type {any} */ (err).date = res.headers.get('date');
    throw err;
  }
  return res;
}

/**
 * @param {string} target
 * @param {{ signal?: AbortSignal, headers?: Record<string, string> }} [opts]
 * @returns {Promise<any>}
 */
async function json(target, opts) {
  const res = await send(target, opts);
  try {
    return await res.json();
  } catch {
    throw new ApiError(res.status, 'RESPONSE_MALFORMED', `the registry answered ${target} with something that is not JSON`);
  }
}

/**
 * @param {any} c
 * @returns {SignedCheckpointRecord}
 */
function checkpointRecord(c) {
  expect(c !== null && typeof c === 'object' && isStr(c.note) && isInt(c.size) && isStr(c.rootHash) && isStr(c.lotsRoot) && isStr(c.plotsRoot) && isInt(c.signedAt), 'checkpoint');
  return c;
}

/**
 * @param {any} e
 * @returns {ServedEntry}
 */
function servedEntry(e) {
  expect(e !== null && typeof e === 'object' && isInt(e.sequence) && isStr(e.leafHash) && e.entry !== null && typeof e.entry === 'object' && isStr(e.entry.type) && typeof e.entry.body === 'object' && e.entry.body !== null, 'entry');
  return e;
}

/**
 * @param {any} p
 * @param {string} what
 * @returns {string[]}
 */
function hashList(p, what) {
  expect(Array.isArray(p) && p.length <= 128 && p.every(isStr), what);
  return p;
}

/**
 * The public routes (docs/registry-api.md).
 * @throws each method: ApiError with the server's status and code for an error answer, NETWORK when there is no answer, RESPONSE_MALFORMED for an answer of the wrong shape; AbortError when the signal aborts
 * @example const { size, entries } = await api.entries(0, 25)
 */
export const api = {
  /**
   * `GET /checkpoint`: the latest signed checkpoint note.
   * @param {AbortSignal} [signal]
   * @returns {Promise<string>}
   */
  async checkpointNote(signal) {
    return (await send('/checkpoint', { signal })).text();
  },

  /**
   * `GET /v1/checkpoints?from&limit`: signed checkpoints with size ≥ from, oldest first.
   * @param {number} from
   * @param {number} limit
   * @param {AbortSignal} [signal]
   * @returns {Promise<SignedCheckpointRecord[]>}
   */
  async checkpoints(from, limit, signal) {
    const j = await json(`/v1/checkpoints?from=${from}&limit=${limit}`, { signal });
    expect(Array.isArray(j?.checkpoints), 'checkpoint list');
    return j.checkpoints.map(checkpointRecord);
  },

  /**
   * `GET /v1/entries?start&end`: entries [start, end) and the log size.
   * @param {number} start
   * @param {number} end
   * @param {AbortSignal} [signal]
   * @returns {Promise<{ size: number, entries: ServedEntry[] }>}
   */
  async entries(start, end, signal) {
    const j = await json(`/v1/entries?start=${start}&end=${end}`, { signal });
    expect(isInt(j?.size) && Array.isArray(j.entries), 'entry page');
    const entries = j.entries.map(servedEntry);
    entries.forEach((/** @type {ServedEntry} */ e, /** @type {number} */ i) => expect(e.sequence === start + i, 'entry page (sequence numbers out of order)'));
    return { size: j.size, entries };
  },

  /**
   * `GET /v1/entries/{seq}`.
   * @param {number} seq
   * @param {AbortSignal} [signal]
   * @returns {Promise<ServedEntry>}
   */
  async entry(seq, signal) {
    const e = servedEntry(await json(`/v1/entries/${seq}`, { signal }));
    expect(e.sequence === seq, 'entry (another sequence number)');
    return e;
  },

  /**
   * `GET /v1/proofs/inclusion?index&size`.
   * @param {number} index
   * @param {number} size
   * @param {AbortSignal} [signal]
   * @returns {Promise<{ index: number, size: number, leafHash: string, hashes: string[] }>}
   */
  async inclusionProof(index, size, signal) {
    const j = await json(`/v1/proofs/inclusion?index=${index}&size=${size}`, { signal });
    expect(isInt(j?.index) && isInt(j.size) && isStr(j.leafHash), 'inclusion proof');
    return { index: j.index, size: j.size, leafHash: j.leafHash, hashes: hashList(j.hashes, 'inclusion proof') };
  },

  /**
   * `GET /v1/proofs/consistency?old&size`.
   * @param {number} old
   * @param {number} size
   * @param {AbortSignal} [signal]
   * @returns {Promise<{ oldSize: number, size: number, hashes: string[] }>}
   */
  async consistencyProof(old, size, signal) {
    const j = await json(`/v1/proofs/consistency?old=${old}&size=${size}`, { signal });
    expect(isInt(j?.oldSize) && isInt(j.size), 'consistency proof');
    return { oldSize: j.oldSize, size: j.size, hashes: hashList(j.hashes, 'consistency proof') };
  },

  /**
   * `GET /v1/artifacts`: the circuit keys the registry accepts.
   * @param {AbortSignal} [signal]
   * @returns {Promise<{ profile: string, forProduction: boolean, manifestSha256: string, circuits: { circuit: string, vkeyHash: string, constraints: number, publicSignals: string[], params: Record<string, number> }[] }>}
   */
  async artifacts(signal) {
    const j = await json('/v1/artifacts', { signal });
    expect(isStr(j?.profile) && Array.isArray(j.circuits) && j.circuits.every((/** @type {any} */ c) => isStr(c?.circuit) && isStr(c.vkeyHash)), 'artifact list');
    return j;
  },

  /**
   * `GET /v1/parties/{id}`.
   * @param {string} id
   * @param {AbortSignal} [signal]
   * @returns {Promise<{ partyId: string, role: string, publicKey: string, registeredAt: number, revokedAt: number | null }>}
   */
  async party(id, signal) {
    const j = await json(`/v1/parties/${encodeURIComponent(id)}`, { signal });
    expect(isStr(j?.partyId) && isStr(j.role) && isStr(j.publicKey), 'party');
    return j;
  },

  /**
   * `GET /v1/witnesses`: the active auditors' cosigner keys; an empty list from a registry
   * without the route.
   * @param {AbortSignal} [signal]
   * @returns {Promise<{ partyId: string, cosignerKey: string }[] | null>} null when the registry has no such route
   */
  async witnesses(signal) {
    try {
      const j = await json('/v1/witnesses', { signal });
      expect(Array.isArray(j?.witnesses) && j.witnesses.every((/** @type {any} */ w) => isStr(w?.partyId) && isStr(w.cosignerKey)), 'witness list');
      return j.witnesses;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }
  },

  /**
   * `GET /healthz`.
   * @param {AbortSignal} [signal]
   * @returns {Promise<{ origin: string, size: number, checkpointSize: number | null }>}
   */
  async health(signal) {
    const j = await json('/healthz', { signal });
    expect(isStr(j?.origin) && isInt(j.size), 'health answer');
    return j;
  },

  /**
   * `GET /explorer/config.json`: what the server announces to the page.
   * @param {AbortSignal} [signal]
   * @returns {Promise<{ registryKey: string | null, entryTypes: string[], interpretations: Record<string, Record<string, { roots: { signal: string, in: string }[], nullifiers: string[], lotsLeaves: string[], plotsLeaves: string[], shared: string[] }>>, limits: { entriesPage: number, checkpointsPage: number, submissionsPage: number } }>}
   */
  async config(signal) {
    const j = await json('/explorer/config.json', { signal });
    expect((j?.registryKey === null || isStr(j?.registryKey)) && Array.isArray(j.entryTypes) && typeof j.interpretations === 'object' && isInt(j.limits?.entriesPage), 'explorer configuration');
    return j;
  },

  /**
   * `GET /v1/audit/submissions?start&end`, signed with the signed-in auditor's key. A
   * TIMESTAMP_STALE answer (this computer's clock is off by more than 5 minutes) is retried
   * once with the clock of the server's Date header.
   * @param {number} start
   * @param {number} end
   * @param {AbortSignal} [signal]
   * @returns {Promise<{ submissions: { sequence: number, keyId: string, kind: string, role: string, submittedAt: number }[], unrecorded: number[] }>}
   */
  async submissions(start, end, signal) {
    const target = `/v1/audit/submissions?start=${start}&end=${end}`;
    /** @returns {Promise<any>} */
    const once = async () => json(target, { signal, headers: await signedHeaders('GET', target) });
    let j;
    try {
      j = await once();
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 'TIMESTAMP_STALE' && adjustClock(/** @type {any} */ (e).date))) throw e;
      j = await once();
    }
    expect(Array.isArray(j?.submissions) && Array.isArray(j.unrecorded), 'submission list');
    return j;
  },
};
