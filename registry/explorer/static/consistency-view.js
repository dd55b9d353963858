// @ts-check
/**
 * Consistency between two signed checkpoints, `#/consistency?old=<size>&new=<size>`: both
 * notes are checked against the registry key, the RFC 9162 consistency proof between their
 * sizes is fetched from `GET /v1/proofs/consistency`, and the page recomputes both roots
 * from it (RFC 9162 §2.1.4.2). A match shows the newer tree holds the older one as a
 * prefix: the registry only appended in between.
 *
 * A consistency proof from size 0 proves nothing (any tree extends the empty one), so the
 * older size must be at least 1.
 * @module
 */
import { api } from './api.js';
import { base64Decode, base64Encode } from './bytes.js';
import { errorText, fields, h, mono, replace, status } from './dom.js';
import { consistencyProofRoots, hashEqual } from './tlog.js';

/** @typedef {import('./state.js').ExplorerState} ExplorerState */
/** @typedef {import('./state.js').CheckedCheckpoint} CheckedCheckpoint */

/**
 * Renders the consistency view and, when both sizes are given, runs the check.
 * @param {ExplorerState} state
 * @param {HTMLElement} main
 * @param {URLSearchParams} params
 * @param {AbortSignal} signal
 * @throws never (failures are shown in the view)
 * @example await renderConsistency(state, main, new URLSearchParams('old=6&new=37'), signal)
 */
export async function renderConsistency(state, main, params, signal) {
  /** @param {string} k */
  const int = (k) => {
    const v = params.get(k);
    return v !== null && /^(0|[1-9][0-9]{0,15})$/.test(v) ? Number(v) : null;
  };
  let oldSize = int('old');
  let newSize = int('new');
  const sizes = h('datalist', { id: 'checkpoint-sizes' });
  const oldInput = h('input', { id: 'c-old', name: 'old', type: 'number', min: 1, step: 1, required: true, list: 'checkpoint-sizes', inputmode: 'numeric' });
  const newInput = h('input', { id: 'c-new', name: 'new', type: 'number', min: 1, step: 1, required: true, list: 'checkpoint-sizes', inputmode: 'numeric' });
  const result = h('div', { id: 'consistency-result', 'aria-live': 'polite' });
  /** @type {HTMLFormElement} */
  let form;
  /** @param {Event} ev */
  const submit = (ev) => {
    ev.preventDefault();
    location.hash = `#/consistency?old=${encodeURIComponent(oldInput.value)}&new=${encodeURIComponent(newInput.value)}`;
  };
  replace(
    main,
    h('h1', { tabindex: '-1' }, 'Consistency'),
    h('p', { class: 'lede' }, 'Check that the log only grew between two signed checkpoints: the page fetches the RFC 9162 consistency proof between their sizes and recomputes both roots from it.'),
    (form = h(
      'form',
      { class: 'card filters', id: 'consistency-form', onsubmit: submit },
      h('div', { class: 'field' }, h('label', { for: 'c-old' }, 'Older checkpoint (size)'), oldInput),
      h('div', { class: 'field' }, h('label', { for: 'c-new' }, 'Newer checkpoint (size)'), newInput),
      sizes,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Check consistency')),
    )),
    result,
  );

  try {
    // Offer the known sizes (the first pages of the history) and default to the last two.
    /** @type {number[]} */
    const known = [];
    let from = 1;
    for (let i = 0; i < 3; i++) {
      const page = await api.checkpoints(from, state.config.limits.checkpointsPage, signal);
      known.push(...page.map((c) => c.size));
      const last = page.at(-1);
      if (last === undefined || page.length < state.config.limits.checkpointsPage) break;
      from = last.size + 1;
    }
    if (signal.aborted) return;
    replace(sizes, [...known].reverse().map((s) => h('option', { value: s })));
    const recent = known.slice(-12);
    if (recent.length > 0) {
      form.append(
        h(
          'p',
          { class: 'small muted sizes-hint' },
          `Signed checkpoint sizes: ${known.length > recent.length ? '…, ' : ''}`,
          recent.map((s, i) => [i > 0 ? ', ' : '', h('code', {}, String(s))]),
        ),
      );
    }
    if (newSize === null) newSize = known.at(-1) ?? null;
    if (oldSize === null) oldSize = known.at(-2) ?? null;
  } catch {
    // The form still works with sizes typed in.
  }
  oldInput.value = oldSize === null ? '' : String(oldSize);
  newInput.value = newSize === null ? '' : String(newSize);
  if (params.get('old') === null || params.get('new') === null) {
    replace(result, h('p', { class: 'muted' }, 'Pick two checkpoint sizes and press “Check consistency”.'));
    return;
  }
  if (oldSize === null || newSize === null || oldSize < 1 || oldSize > newSize) {
    replace(result, status('fail', 'The older size must be at least 1 and at most the newer size.'));
    return;
  }
  await runCheck(state, oldSize, newSize, result, signal);
}

/**
 * @param {ExplorerState} state
 * @param {number} oldSize
 * @param {number} newSize
 * @param {HTMLElement} out
 * @param {AbortSignal} signal
 */
async function runCheck(state, oldSize, newSize, out, signal) {
  replace(out, status('busy', `Checking ${oldSize} → ${newSize}…`));
  try {
    const [a, b] = await Promise.all([state.checkpointAt(oldSize, signal), state.checkpointAt(newSize, signal)]);
    if (signal.aborted) return;
    if (a === null || b === null) {
      replace(out, status('fail', `The registry signed no checkpoint of size ${a === null ? oldSize : newSize}: pick sizes from the history.`));
      return;
    }
    const steps = [checkpointStep('Older checkpoint', a), checkpointStep('Newer checkpoint', b)];
    if (a.report === null || b.report === null) {
      replace(out, status('fail', 'A checkpoint could not be checked, so there are no signed roots to compare.'), steps);
      return;
    }
    const root1 = a.report.checkpoint.rootHash;
    const root2 = b.report.checkpoint.rootHash;
    const proof = await api.consistencyProof(oldSize, newSize, signal);
    const hashes = proof.hashes.map(base64Decode);
    if (signal.aborted) return;
    if (proof.oldSize !== oldSize || proof.size !== newSize || hashes.some((x) => x === null || x.length !== 32)) {
      replace(out, status('fail', 'NOT consistent: the registry answered a proof for other sizes or with malformed hashes'), steps);
      return;
    }
    const roots = await consistencyProofRoots(oldSize, newSize, /** @type {Uint8Array[]} */ (hashes), root1);
    const ok1 = roots !== null && hashEqual(roots.root1, root1);
    const ok2 = roots !== null && hashEqual(roots.root2, root2);
    const proofRows = fields([
      ['Proof', `${hashes.length} hash${hashes.length === 1 ? '' : 'es'} from /v1/proofs/consistency?old=${oldSize}&size=${newSize}`],
      ['Older root recomputed', roots === null ? 'none: the proof has the wrong length for these sizes' : [mono(base64Encode(roots.root1)), ' ', ok1 ? status('ok', 'matches') : status('fail', 'differs')]],
      ['Newer root recomputed', roots === null ? '—' : [mono(base64Encode(roots.root2)), ' ', ok2 ? status('ok', 'matches') : status('fail', 'differs')]],
    ]);
    const list = h('details', {}, h('summary', {}, 'Proof hashes'), h('ol', { class: 'hash-list', start: 0 }, proof.hashes.map((x) => h('li', {}, mono(x)))));
    const signed = a.report.trusted && b.report.trusted;
    const verdict =
      ok1 && ok2
        ? signed
          ? status('ok', `Consistent: checkpoint ${newSize} extends checkpoint ${oldSize} (RFC 9162 §2.1.4.2, verified in this browser)`)
          : status('warn', `The proof matches both roots, but a checkpoint signature did not verify`)
        : status('fail', `NOT consistent: the proof does not lead from checkpoint ${oldSize} to checkpoint ${newSize}`);
    replace(out, h('div', { class: 'card', id: 'consistency-verdict' }, h('h2', {}, 'Result'), verdict, steps, proofRows, list));
  } catch (e) {
    if (signal.aborted) return;
    replace(out, status('fail', `Could not check consistency: ${errorText(e)}`));
  }
}

/**
 * @param {string} label
 * @param {CheckedCheckpoint} c
 */
function checkpointStep(label, c) {
  const r = c.report;
  return h(
    'div',
    { class: 'step' },
    h('h3', {}, `${label}: size ${c.record?.size ?? '?'}`),
    r === null
      ? status('fail', c.error ?? 'not checked')
      : fields([
          ['Signature', r.trusted ? status('ok', 'valid, registry key') : status('fail', 'not valid under the registry key')],
          ['Root hash', mono(r.checkpoint.rootHashBase64)],
        ]),
  );
}
