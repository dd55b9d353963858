// @ts-check
/**
 * What the explorer knows of each entry type (registry/log/entry.ts, docs/registry.md):
 * a label, a one-line summary for the log table, the type-specific fields of the details
 * view, and where an entry carries its proof bundles. Entries are attacker-controlled
 * JSON here: every read checks the type of what it reads and falls back to showing the
 * body as JSON, so an entry type this page does not know yet is still shown in full.
 * @module
 */

/** @typedef {import('./api.js').ServedEntry['entry']} Entry */
/** @typedef {{ circuit: string, vkeyHash: string, proof: Record<string, unknown>, publicSignals: Record<string, string | string[]> }} ProofBundle */

/** Human labels of the known entry types. */
export const TYPE_LABELS = /** @type {Record<string, string>} */ ({
  'party-registration': 'Party registration',
  'party-revocation': 'Party revocation',
  dataset: 'Dataset',
  'plot-attestation': 'Plot attestation',
  'lot-mint': 'Lot mint',
  transition: 'Transition',
  'capacity-issue': 'Capacity issue',
  artifacts: 'Circuit artifacts',
});

/**
 * The label of an entry type (the type itself if unknown).
 * @param {string} type
 * @throws never
 * @example typeLabel('lot-mint') // 'Lot mint'
 */
export function typeLabel(type) {
  return TYPE_LABELS[type] ?? type;
}

const str = (/** @type {unknown} */ v) => (typeof v === 'string' ? v : '');
const abbrev = (/** @type {string} */ v) => (v.length > 14 ? `${v.slice(0, 6)}…${v.slice(-6)}` : v);

/**
 * Whether a value has the shape of a proof bundle.
 * @param {unknown} v
 * @returns {v is ProofBundle}
 * @throws never
 * @example isProofBundle(entry.body.proof) // true for a lot mint
 */
export function isProofBundle(v) {
  const b = /** @type {any} */ (v);
  return b !== null && typeof b === 'object' && typeof b.circuit === 'string' && typeof b.vkeyHash === 'string' && typeof b.publicSignals === 'object' && b.publicSignals !== null && typeof b.proof === 'object';
}

/**
 * The proof bundles an entry carries, with a label each: `body.proof`, or each of
 * `body.windows` (plot attestations).
 * @param {Entry} entry
 * @returns {{ label: string, bundle: ProofBundle }[]}
 * @throws never (an entry of another shape has none)
 * @example proofBundles(plotAttestation).map((b) => b.label) // ['Window 1 of 2', 'Window 2 of 2']
 */
export function proofBundles(entry) {
  const body = /** @type {any} */ (entry.body);
  if (isProofBundle(body.proof)) return [{ label: 'Proof', bundle: body.proof }];
  if (Array.isArray(body.windows)) {
    return body.windows.filter(isProofBundle).map((/** @type {ProofBundle} */ b, /** @type {number} */ i) => ({ label: `Window ${i + 1} of ${body.windows.length}`, bundle: b }));
  }
  return [];
}

/**
 * A public signal's value as text (arrays joined with commas).
 * @param {ProofBundle} bundle
 * @param {string} name
 */
function sig(bundle, name) {
  const v = bundle.publicSignals[name];
  return Array.isArray(v) ? v.join(', ') : str(v);
}

/**
 * A one-line description of an entry for the log table.
 * @param {Entry} entry
 * @returns {string}
 * @throws never
 * @example summary({ type: 'party-revocation', version: 1, body: { partyId: 'coop-9', reason: 'left' } }) // 'coop-9 revoked: left'
 */
export function summary(entry) {
  const b = /** @type {any} */ (entry.body);
  const bundles = proofBundles(entry);
  switch (entry.type) {
    case 'party-registration':
      return `${str(b.partyId)} registered as ${str(b.role)}`;
    case 'party-revocation':
      return `${str(b.partyId)} revoked${str(b.reason) ? `: ${str(b.reason)}` : ''}`;
    case 'dataset':
      return str(b.name);
    case 'plot-attestation': {
      const first = bundles[0]?.bundle;
      return `${bundles.length} window${bundles.length === 1 ? '' : 's'}${first ? `, cut-off code ${sig(first, 'cutoffCode')}` : ''}`;
    }
    case 'lot-mint': {
      const p = bundles[0]?.bundle;
      if (p?.circuit === 'capacity_mint') return `lot ${abbrev(sig(p, 'lotCommitment'))} from harvest capacity`;
      return p ? `new lot, commitment ${abbrev(sig(p, 'outCommitment'))}` : 'lot mint';
    }
    case 'transition': {
      const p = bundles[0]?.bundle;
      if (!p) return 'transition';
      const spent = [p.publicSignals.nullifiers].flat().filter((x) => x !== '0').length;
      const made = [p.publicSignals.outCommitments].flat().filter((x) => x !== '0').length;
      const conv = sig(p, 'inCommodity') === sig(p, 'outCommodity') ? `commodity ${sig(p, 'inCommodity')}` : `${sig(p, 'inCommodity')} → ${sig(p, 'outCommodity')}`;
      return `${spent} in → ${made} out, ${conv}`;
    }
    case 'capacity-issue': {
      const p = bundles[0]?.bundle;
      return p ? `harvest ${sig(p, 'harvestYear')}, commodity ${sig(p, 'commodity')}` : 'capacity issue';
    }
    case 'artifacts':
      return `profile ${str(b.profile)}, ${b.circuits && typeof b.circuits === 'object' ? Object.keys(b.circuits).length : 0} circuits pinned`;
    default:
      return Object.keys(b).join(', ');
  }
}

/**
 * The type-specific fields of an entry's body, as [label, text] pairs (proof bundles are
 * shown apart). Unknown types and members give [] (the view then shows the body as JSON).
 * @param {Entry} entry
 * @returns {{ label: string, value: string, mono?: boolean, href?: string }[]}
 * @throws never
 * @example entryFields(datasetEntry).map((f) => f.label) // ['Name', 'Dataset root (Poseidon)', …]
 */
export function entryFields(entry) {
  const b = /** @type {any} */ (entry.body);
  switch (entry.type) {
    case 'party-registration':
      return [
        { label: 'Party', value: str(b.partyId) },
        { label: 'Role', value: str(b.role) },
        { label: 'Ed25519 public key', value: str(b.publicKey), mono: true },
      ];
    case 'party-revocation':
      return [
        { label: 'Party', value: str(b.partyId) },
        { label: 'Reason', value: str(b.reason) || '(none given)' },
      ];
    case 'dataset':
      return [
        { label: 'Name', value: str(b.name) },
        { label: 'Dataset root (Poseidon)', value: str(b.datasetRoot), mono: true },
        { label: 'Manifest SHA-256', value: str(b.manifestSha256), mono: true },
        { label: 'Extent', value: 'see the datasets page', href: '#/datasets' },
      ];
    case 'artifacts':
      return [{ label: 'Profile', value: str(b.profile) }];
    default:
      return [];
  }
}

/**
 * The circuit keys an `artifacts` entry pins, one row per circuit (empty for other types).
 * @param {Entry} entry
 * @returns {{ circuit: string, vkeyHash: string, zkeyHash: string, r1csHash: string }[]}
 * @throws never
 * @example pinnedArtifacts(artifactsEntry)[0].circuit // 'capacity_issue'
 */
export function pinnedArtifacts(entry) {
  const circuits = /** @type {any} */ (entry.body).circuits;
  if (entry.type !== 'artifacts' || circuits === null || typeof circuits !== 'object') return [];
  return Object.entries(circuits).map(([circuit, c]) => ({ circuit, vkeyHash: str(c?.vkeyHash), zkeyHash: str(c?.zkeyHash), r1csHash: str(c?.r1csHash) }));
}

/**
 * What the registry checks of a proof's public parameters before it verifies the proof
 * (registry/log/parameter-checks.ts; a refusal is PARAMETER_NOT_ALLOWED), by entry type and
 * signal name. Signals named neither here nor in the interpretation tables are statements
 * of the proof only.
 */
export const PARAMETER_CHECKS = /** @type {Record<string, Record<string, string>>} */ ({
  transition: {
    inCommodity: 'parameter: with outCommodity, factorNum and factorDen, the same commodity at 1/1 or a published processing rule',
    outCommodity: 'parameter: a conversion the public processing rules allow',
    factorNum: 'parameter: the conversion factor of a published processing rule (1 when the commodity is unchanged)',
    factorDen: 'parameter: the conversion factor of a published processing rule (1 when the commodity is unchanged)',
  },
  'capacity-issue': {
    commodity: 'parameter: a commodity with a published yield ceiling',
    yieldCeilingGramsPerPixel: 'parameter: must equal the commodity’s published yield ceiling',
    cutoffCode: 'parameter: at most 21 (EUDR cut-off: no loss from 2021 on)',
    harvestYear: 'parameter: the registry clock’s UTC year or the year before, when appended',
  },
});
