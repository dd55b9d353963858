// @ts-check
/**
 * Auditor sign-in, `#/auditor`: a party registered with the auditor role opens its note
 * signer key (a file picker or pasted text), the page checks it against the registry's
 * record of the party (`GET /v1/parties/{id}`: role auditor, not revoked, same public key),
 * and keeps it in memory for signing requests (auditor-key.js). The inputs are cleared
 * as soon as the key is read.
 * @module
 */
import { api, ApiError } from './api.js';
import { currentAuditor, signOut, readAuditorKey, signIn } from './auditor-key.js';
import { errorText, fields, h, replace, status } from './dom.js';

/**
 * Renders the sign-in view.
 * @param {HTMLElement} main
 * @param {() => void} onChange - called after signing in or out
 * @throws never (a refused key is shown in the form)
 * @example renderAuditor(main, () => route(state))
 */
export function renderAuditor(main, onChange) {
  const who = currentAuditor();
  const intro = h(
    'p',
    { class: 'lede' },
    'The log names no submitter. Parties registered with the auditor role — auditors and competent authorities — can read the registry’s record of who submitted each entry. Your key stays in this page’s memory: it is not stored, and signing out or closing the tab forgets it.',
  );
  if (who !== null) {
    replace(
      main,
      h('h1', { tabindex: '-1' }, 'Auditor'),
      intro,
      h(
        'section',
        { class: 'card' },
        status('ok', `Signed in as ${who.partyId}`),
        fields([
          ['Key name', who.keyName],
          ['Public key', h('code', { class: 'mono' }, who.publicKey)],
        ]),
        h('p', {}, 'Entries now show who submitted them, and the log table has a “Submitted by” column.'),
        h(
          'button',
          {
            type: 'button',
            id: 'sign-out',
            onclick: () => {
              signOut();
              onChange();
            },
          },
          'Sign out',
        ),
      ),
    );
    return;
  }
  const file = h('input', { id: 'key-file', type: 'file', 'aria-describedby': 'key-help' });
  const pasted = h('textarea', { id: 'key-text', rows: 2, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'key-help' });
  const party = h('input', { id: 'party-id', type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const msg = h('div', { role: 'status', id: 'sign-in-status' });
  /** @param {Event} ev */
  const submit = async (ev) => {
    ev.preventDefault();
    replace(msg, status('busy', 'Checking the key…'));
    const chosen = file.files?.[0];
    let text = pasted.value;
    if (chosen !== undefined) text = await chosen.text();
    // Forget the inputs at once: the key lives on only inside WebCrypto.
    pasted.value = '';
    file.value = '';
    try {
      const s = await readAuditorKey(text, party.value.trim());
      let record;
      try {
        record = await api.party(s.partyId);
      } catch (e) {
        throw e instanceof ApiError && e.status === 404 ? new Error(`no party ${JSON.stringify(s.partyId)} is registered with this registry`) : e;
      }
      if (record.role !== 'auditor') throw new Error(`${s.partyId} is registered as ${record.role}, not auditor`);
      if (record.revokedAt !== null) throw new Error(`${s.partyId} was revoked`);
      if (record.publicKey !== s.publicKey) throw new Error(`this key is not the one registered for ${s.partyId}`);
      signIn(s);
      onChange();
    } catch (e) {
      replace(msg, status('fail', `Not signed in: ${errorText(e)}`));
    }
  };
  replace(
    main,
    h('h1', { tabindex: '-1' }, 'Auditor sign-in'),
    intro,
    h(
      'form',
      { class: 'card stacked', id: 'sign-in', onsubmit: submit },
      h('div', { class: 'field' }, h('label', { for: 'key-file' }, 'Key file'), file),
      h('div', { class: 'field' }, h('label', { for: 'key-text' }, 'or paste the key'), pasted),
      h('p', { class: 'muted small', id: 'key-help' }, 'The note signer key “canopy registry keygen” wrote for you: PRIVATE+KEY+<name>+<hash>+<key>.'),
      h('div', { class: 'field' }, h('label', { for: 'party-id' }, 'Party id (if not the key’s name)'), party),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Sign in')),
      msg,
    ),
  );
}
