// @ts-check
/**
 * One entry, `#/entry/<seq>`: its type-specific fields; its proof bundles with circuit,
 * verification-key hash and public signals (and what the registry does with each signal);
 * its RFC 6962 inclusion in the latest signed checkpoint, checked here; and, for a
 * signed-in auditor, who submitted it.
 *
 * The inclusion check binds what is shown: the page recomputes the entry's leaf hash from
 * the entry it displays (RFC 8785 canonical JSON, SHA-256 with the 0x00 prefix), requires
 * the served leaf hash and the proof's to equal it, then runs RFC 9162 §2.1.3.2 up to the
 * root hash of the checkpoint note whose signature it checked.
 * @module
 */
import { api } from './api.js';
import { currentAuditor } from './auditor-key.js';
import { base64Decode, base64Encode, utf8 } from './bytes.js';
import { canonicalJson } from './canonical-json.js';
import { errorText, fields, h, mono, replace, status, time } from './dom.js';
import { entryFields, PARAMETER_CHECKS, pinnedArtifacts, proofBundles, summary, typeLabel } from './entry-types.js';
import { hashEqual, inclusionProofRoot, leafHash } from './tlog.js';

/** @typedef {import('./state.js').ExplorerState} ExplorerState */
/** @typedef {import('./api.js').ServedEntry} ServedEntry */
/** @typedef {import('./entry-types.js').ProofBundle} ProofBundle */

/**
 * Renders the entry view.
 * @param {ExplorerState} state
 * @param {HTMLElement} main
 * @param {number} seq
 * @param {AbortSignal} signal
 * @throws never (failures are shown in the view)
 * @example await renderEntry(state, main, 12, signal)
 */
export async function renderEntry(state, main, seq, signal) {
  const heading = h('h1', { tabindex: '-1' }, `Entry #${seq}`);
  /** @type {HTMLElement} */
  const loading = h('p', { role: 'status' }, status('busy', 'Reading the entry…'));
  replace(main, heading, loading);
  let served;
  try {
    served = await state.entry(seq, signal);
  } catch (e) {
    if (signal.aborted) return;
    replace(loading, status('fail', `Could not read entry ${seq}: ${errorText(e)}`));
    return;
  }
  if (signal.aborted) return;
  const e = served.entry;
  heading.append(' ', h('span', { class: `type-tag type-${e.type.replace(/[^a-z-]/g, '')}` }, typeLabel(e.type)));

  const inclusion = h('div', { id: 'inclusion', class: 'check' }, status('busy', 'Checking the inclusion proof…'));
  const submitter = h('div', { id: 'submitter' });
  const nav = h(
    'nav',
    { class: 'pager', 'aria-label': 'Neighbouring entries' },
    seq > 0 ? h('a', { class: 'button', href: `#/entry/${seq - 1}`, rel: 'prev' }, `← #${seq - 1}`) : null,
    h('a', { class: 'button', href: '#/log' }, 'Back to the log'),
    h('a', { class: 'button', href: `#/entry/${seq + 1}`, rel: 'next' }, `#${seq + 1} →`),
  );
  const typeRows = entryFields(e).map((f) => /** @type {[string, import('./dom.js').Child]} */ ([f.label, f.href ? h('a', { href: f.href }, f.value) : f.mono ? mono(f.value) : f.value]));
  const bundles = proofBundles(e);
  const pinned = pinnedArtifacts(e);

  // The heading stays in place (it may hold the focus); the rest replaces the loading line.
  const parts = [
    h('p', { class: 'lede' }, summary(e)),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'entry-h' },
      h('h2', { id: 'entry-h' }, 'Entry'),
      fields([['Sequence number', String(served.sequence)], ['Type', `${typeLabel(e.type)} (${e.type}, version ${e.version})`], ...typeRows, ['Leaf hash (as served)', mono(served.leafHash)]]),
      typeRows.length === 0 && bundles.length === 0 && pinned.length === 0 ? h('pre', { class: 'json' }, JSON.stringify(e.body, null, 2)) : null,
    ),
    h('section', { class: 'card', 'aria-labelledby': 'inclusion-h' }, h('h2', { id: 'inclusion-h' }, 'Inclusion in the log'), inclusion),
    pinned.length > 0 ? h('section', { class: 'card', 'aria-labelledby': 'pinned-h' }, h('h2', { id: 'pinned-h' }, 'Pinned circuit keys'), await pinnedTable(state, pinned)) : null,
    bundles.length > 0 ? h('section', { class: 'card', 'aria-labelledby': 'proofs-h' }, h('h2', { id: 'proofs-h' }, bundles.length === 1 ? 'Proof' : `Proofs (${bundles.length})`), await proofSections(state, e.type, bundles)) : null,
    h('section', { class: 'card', 'aria-labelledby': 'submitter-h' }, h('h2', { id: 'submitter-h' }, 'Submitted by'), submitter),
    h('details', { class: 'card raw' }, h('summary', {}, 'Entry as served (JSON)'), h('pre', { class: 'json' }, JSON.stringify(served, null, 2))),
    nav,
  ];
  loading.replaceWith(...parts.filter((p) => p !== null));

  await Promise.all([checkInclusion(state, served, inclusion, signal), showSubmitter(served.sequence, submitter, signal)]);
}

/**
 * Checks the entry's inclusion in the latest signed checkpoint and reports each step.
 * @param {ExplorerState} state
 * @param {ServedEntry} served
 * @param {HTMLElement} out
 * @param {AbortSignal} signal
 */
async function checkInclusion(state, served, out, signal) {
  try {
    const latest = await state.latest(signal);
    if (latest.report === null) {
      replace(out, status('fail', `The latest checkpoint could not be checked: ${latest.error}`));
      return;
    }
    const cp = latest.report.checkpoint;
    if (served.sequence >= cp.size) {
      replace(out, status('info', `Not yet covered by a signed checkpoint: the latest covers entries 0–${cp.size - 1}. The registry signs a new one about every second while the log grows.`));
      return;
    }
    const proof = await api.inclusionProof(served.sequence, cp.size, signal);
    const computed = await leafHash(utf8(canonicalJson(served.entry)));
    const servedLeaf = base64Decode(served.leafHash);
    const proofLeaf = base64Decode(proof.leafHash);
    const hashes = proof.hashes.map(base64Decode);
    if (signal.aborted) return;
    /** @type {[string, import('./dom.js').Child][]} */
    const rows = [
      ['Checkpoint', `size ${cp.size}`],
      ['Checkpoint root hash', mono(cp.rootHashBase64)],
      ['Leaf hash computed here', mono(base64Encode(computed))],
    ];
    const details = h(
      'details',
      {},
      h('summary', {}, `Audit path: ${proof.hashes.length} hash${proof.hashes.length === 1 ? '' : 'es'}`),
      h('ol', { class: 'hash-list', start: 0 }, proof.hashes.map((x) => h('li', {}, mono(x)))),
    );
    if (servedLeaf === null || proofLeaf === null || !hashEqual(computed, servedLeaf) || !hashEqual(computed, proofLeaf)) {
      replace(out, status('fail', 'Not verified: the entry shown does not hash to the leaf hash served with it or with its proof'), fields(rows), details);
      return;
    }
    if (proof.index !== served.sequence || proof.size !== cp.size || hashes.some((x) => x === null || x.length !== 32)) {
      replace(out, status('fail', 'Not verified: the registry answered a proof for another index or size, or with malformed hashes'), fields(rows), details);
      return;
    }
    const root = await inclusionProofRoot(served.sequence, cp.size, computed, /** @type {Uint8Array[]} */ (hashes));
    rows.push(['Root computed from the path', root === null ? 'none: the path has the wrong length' : mono(base64Encode(root))]);
    const ok = root !== null && hashEqual(root, cp.rootHash);
    if (signal.aborted) return;
    if (!ok) {
      replace(out, status('fail', `Inclusion proof failed: the audit path does not lead to the root of the checkpoint of size ${cp.size}`), fields(rows), details);
    } else if (!latest.report.trusted) {
      replace(out, status('warn', `The path leads to the root of checkpoint ${cp.size}, but that checkpoint's signature did not verify`), fields(rows), details);
    } else {
      replace(out, status('ok', `Included in the signed checkpoint of size ${cp.size}: proof verified in this browser (RFC 9162 §2.1.3.2, ${hashes.length} hashes)`), fields(rows), details);
    }
  } catch (e) {
    if (signal.aborted) return;
    replace(out, status('fail', `Could not check the inclusion proof: ${errorText(e)}`));
  }
}

/**
 * Who submitted the entry, for a signed-in auditor.
 * @param {number} seq
 * @param {HTMLElement} out
 * @param {AbortSignal} signal
 */
async function showSubmitter(seq, out, signal) {
  const auditor = currentAuditor();
  if (auditor === null) {
    replace(out, h('p', { class: 'muted' }, 'The log records no submitter. Auditors can ', h('a', { href: '#/auditor' }, 'sign in'), ' to read the registry’s submission records.'));
    return;
  }
  replace(out, status('busy', 'Reading the submission record…'));
  try {
    const r = await api.submissions(seq, seq + 1, signal);
    if (signal.aborted) return;
    const rec = r.submissions.find((x) => x.sequence === seq);
    if (rec === undefined) {
      replace(out, status('warn', 'No submission record for this entry (the registry stopped between appending and recording it)'));
      return;
    }
    replace(
      out,
      fields([
        ['Party', h('strong', { id: 'submitter-party' }, rec.keyId)],
        ['Role', rec.role],
        ['Signed as', rec.kind === 'accreditor' ? 'the accreditor' : 'a registered party'],
        ['Acknowledged at', time(rec.submittedAt)],
      ]),
      h('p', { class: 'muted small' }, `Read as auditor ${auditor.partyId} with a signed request.`),
    );
  } catch (e) {
    if (signal.aborted) return;
    replace(out, status('fail', `Could not read the submission record: ${errorText(e)}`));
  }
}

const ROOT_SETS = /** @type {Record<string, string>} */ ({
  'published-lots-root': 'must be a lots root a signed checkpoint published',
  'published-plots-root': 'must be a plots root a signed checkpoint published',
  'dataset-root': 'must be the root of a dataset entry of the log',
});

/**
 * The proof bundles: circuit, key, proof status, public signals with their roles.
 * @param {ExplorerState} state
 * @param {string} type
 * @param {{ label: string, bundle: ProofBundle }[]} bundles
 */
async function proofSections(state, type, bundles) {
  /** @type {Awaited<ReturnType<ExplorerState['artifacts']>> | null} */
  let artifacts = null;
  try {
    artifacts = await state.artifacts();
  } catch {
    // Shown below as "could not read".
  }
  const note = h(
    'p',
    { class: 'note' },
    status('info', 'Verified by the registry before appending'),
    ' The registry appends a proof-bearing entry only after its Groth16 proof verifies under the verification key whose SHA-256 the bundle names (docs/registry-api.md, “Proof verification”), and, once the log pins keys, only under a key an earlier ',
    h('a', { href: '#/log?type=artifacts' }, 'artifacts entry'),
    ' pinned. This page shows the key and the public signals; re-running the pairing check is the auditor tool’s job (',
    h('code', {}, 'canopy audit'),
    ').',
  );
  const sections = bundles.map(({ label, bundle }, i) => {
    const key = artifacts?.circuits.find((c) => c.vkeyHash === bundle.vkeyHash && c.circuit === bundle.circuit);
    const keyStatus =
      artifacts === null
        ? status('warn', 'Could not read the registry’s published keys (/v1/artifacts)')
        : key !== undefined
          ? status('ok', `Published at /v1/artifacts: ${key.circuit}, profile ${artifacts.profile}, ${key.constraints} constraints`)
          : status('warn', 'Not among the keys the registry accepts today (a key change is visible here)');
    const roles = state.config.interpretations[type]?.[bundle.circuit];
    /** @param {string} name */
    const roleOf = (name) => {
      if (!roles) return PARAMETER_CHECKS[type]?.[name] ?? '';
      const r = roles.roots.find((x) => x.signal === name);
      const out = [];
      if (r) out.push(ROOT_SETS[r.in] ?? r.in);
      if (roles.nullifiers.includes(name)) out.push('nullifier: spent by this entry (0 = unused slot)');
      if (roles.lotsLeaves.includes(name)) out.push('appended to the lots tree');
      if (roles.plotsLeaves.includes(name)) out.push('appended to the plots tree');
      if (roles.shared.includes(name)) out.push('equal in every proof of the entry');
      const parameter = PARAMETER_CHECKS[type]?.[name];
      if (parameter !== undefined) out.push(parameter);
      return out.length > 0 ? out.join('; ') : 'public statement of the proof';
    };
    const signals = Object.entries(bundle.publicSignals).map(([name, v]) =>
      h('tr', {}, h('th', { scope: 'row' }, h('code', {}, name)), h('td', {}, Array.isArray(v) ? h('ol', { class: 'values', start: 0 }, v.map((x) => h('li', {}, mono(String(x))))) : mono(String(v))), h('td', { class: 'muted' }, roleOf(name))),
    );
    return h(
      'div',
      { class: 'bundle' },
      bundles.length > 1 ? h('h3', {}, label) : null,
      fields([
        ['Circuit', h('code', {}, bundle.circuit)],
        ['Verification key SHA-256', mono(bundle.vkeyHash)],
        ['Key', keyStatus],
      ]),
      h('table', { class: 'data signals', id: `signals-${i}` }, h('caption', {}, 'Public signals'), h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Signal'), h('th', { scope: 'col' }, 'Value'), h('th', { scope: 'col' }, 'What the registry does with it'))), h('tbody', {}, signals)),
      h('details', {}, h('summary', {}, 'Groth16 proof (BN254 points)'), h('pre', { class: 'json' }, JSON.stringify(bundle.proof, null, 2))),
    );
  });
  return [note, ...sections];
}

/**
 * The keys an artifacts entry pins, each compared with what /v1/artifacts serves today.
 * @param {ExplorerState} state
 * @param {ReturnType<typeof pinnedArtifacts>} pinned
 */
async function pinnedTable(state, pinned) {
  /** @type {Awaited<ReturnType<ExplorerState['artifacts']>> | null} */
  let served = null;
  try {
    served = await state.artifacts();
  } catch {
    // Shown per row as "could not read".
  }
  const rows = pinned.map((p) => {
    const now = served?.circuits.find((c) => c.circuit === p.circuit);
    const verdict = served === null ? status('warn', 'could not read /v1/artifacts') : now?.vkeyHash === p.vkeyHash ? status('ok', 'same key') : status('info', now ? 'another key' : 'circuit not served');
    return h('tr', {}, h('th', { scope: 'row' }, h('code', {}, p.circuit)), h('td', {}, mono(p.vkeyHash)), h('td', {}, mono(p.zkeyHash)), h('td', {}, mono(p.r1csHash)), h('td', {}, verdict));
  });
  return [
    h('p', { class: 'muted small' }, 'SHA-256 of each file of the trusted setup. From this entry on, the registry accepts a proof only under a verification key an artifacts entry pinned for its circuit; “Served now” compares with the keys /v1/artifacts publishes today.'),
    h('div', { class: 'table-host' }, h('table', { class: 'data pinned', id: 'pinned-table' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Circuit'), h('th', { scope: 'col' }, 'Verification key'), h('th', { scope: 'col' }, 'Proving key (zkey)'), h('th', { scope: 'col' }, 'R1CS'), h('th', { scope: 'col' }, 'Served now'))), h('tbody', {}, rows))),
  ];
}
