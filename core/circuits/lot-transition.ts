/**
 * JS twin of `circuits/lot_transition.circom`, `LotTransition(depth, nIn)`: the rules a
 * transition (transfer, merge, split, process) must keep, the outputs a valid transition
 * must have, its public signals in order, and its witness input, in one place so that
 * prover, verifier and tests cannot disagree with the circuit. docs/lots.md is the
 * specification.
 *
 * A transition spends 1..nIn lot notes (each with its owner's secret and a Merkle proof
 * in the lots tree) and creates 0..2 lot notes:
 *
 *     mass        Σ out grams · factorDen ≤ Σ in grams · factorNum
 *     emissions   E = Σ in emissions + addedEmissionsGramsCo2e;  Σ out emissions ≥ E;
 *                 out_j emissions · Σ out grams ≥ E · out_j grams   (no output below the
 *                 average intensity; `allocateEmissions` gives the least such split)
 *     flag        an output is deforestation-free only if every input is
 *     commodity   inputs have conversion.inCommodity, outputs conversion.outCommodity;
 *                 equal commodities need factor 1 (factorNum = factorDen); factorDen ≥ 1
 *     spends      each input's proof reaches one common root; nullifiers pairwise distinct
 *
 * Witness input (snarkjs form: decimal strings, keys spelled exactly like the signals).
 * Enabled input slots come first, then disabled ones (enabled 0, quantity 0, emissions 0,
 * flag 1, everything else 0); enabled output slots first, then disabled ones (all 0):
 *
 *     { "root", "nullifiers": [nIn], "outCommitments": [2], "inCommodity", "outCommodity",
 *       "factorNum", "factorDen",                                              public
 *       "inEnabled", "inOwnerSecret", "inQuantityGrams", "inEmissionsGramsCo2e",
 *       "inDeforestationFree", "inSalt": [nIn], "inPathIndices", "inSiblings": [nIn][depth],
 *       "outEnabled", "outOwnerKey", "outQuantityGrams", "outEmissionsGramsCo2e",
 *       "outDeforestationFree", "outSalt": [2], "addedEmissionsGramsCo2e" }      private
 *
 * Public signals, in snarkjs order (no outputs; public inputs in declaration order):
 * `LOT_TRANSITION_PUBLIC_SIGNALS`, the `publicSignals` of `lot_transition` in
 * circuits/circuits.json, where `nullifiers[nIn]` stands for nIn signals and
 * `outCommitments[2]` for two. A disabled slot's nullifier is 0 and the registry must not
 * record it; a disabled output's commitment is 0 and the registry must not append it.
 * @module
 */
import { assertArray, assertBigintInRange, assertInteger, rangeError, typeError } from '../assert.ts';
import { CanopyError } from '../errors.ts';
import { assertField, fieldToString } from '../field.ts';
import { assertMerkleProof, pathIndices, verifyMerkleProof, type MerkleProof } from '../merkle/merkle-proof.ts';
import { assertMerkleDepth } from '../merkle/merkle-node.ts';
import {
  assertLotNote,
  assertUint,
  LOT_COMMODITY_BITS,
  LOT_EMISSIONS_GRAMS_CO2E_BITS,
  LOT_QUANTITY_GRAMS_BITS,
  noteCommitment,
  nullifier,
  ownerKey,
  type LotNote,
} from '../lots/note.ts';

/** Output slots of every LotTransition. */
export const LOT_TRANSITION_OUTPUTS = 2;
/** Most input slots (nIn) the circuit allows; its sum bounds assume it. */
export const LOT_TRANSITION_MAX_INPUTS = 16;
/** Bits of factorNum and factorDen (`LOT_FACTOR_BITS()` in lot_note.circom). */
export const LOT_FACTOR_BITS = 32;

/**
 * Public signals of `LotTransition`, in snarkjs order; `name[size]` is an array of
 * `size` signals. Equal to `publicSignals` of `lot_transition` in circuits/circuits.json.
 */
export const LOT_TRANSITION_PUBLIC_SIGNALS = ['root', 'nullifiers[nIn]', 'outCommitments[2]', 'inCommodity', 'outCommodity', 'factorNum', 'factorDen'] as const;

/** Template parameters of `LotTransition`. */
export interface LotTransitionParams {
  /** Depth of the lots tree, 1..32. */
  depth: number;
  /** Input slots, 1..16. */
  nIn: number;
}

/**
 * Commodities and conversion factor of a transition; all public. A plain transfer,
 * merge or split is `identityConversion(commodity)`; processing uses a rule the verifier
 * looks up (e.g. coffee cherries → green coffee 090111 at 1/5).
 */
export interface LotConversion {
  /** HS code of every input, in [0, 2^20). */
  inCommodity: bigint;
  /** HS code of every output, in [0, 2^20). */
  outCommodity: bigint;
  /** Output grams per input gram, numerator, in [0, 2^32). */
  factorNum: bigint;
  /** Denominator, in [1, 2^32). */
  factorDen: bigint;
}

/** One note spent: its opening, its owner's secret and its proof in the lots tree. */
export interface LotSpend {
  note: LotNote;
  /** The secret with `ownerKey(ownerSecret) = note.ownerKey`. */
  ownerSecret: bigint;
  /** Inclusion proof of `noteCommitment(note)`. */
  proof: MerkleProof;
}

/** A whole transition, as the prover knows it. Plain data. */
export interface LotTransition {
  /** 1..nIn notes spent. */
  inputs: readonly LotSpend[];
  /** 0..2 notes created. */
  outputs: readonly LotNote[];
  /** The prover's own processing and transport emissions, in [0, 2^64) g CO2e. */
  addedEmissionsGramsCo2e: bigint;
  conversion: LotConversion;
}

/** The public statement of a transition, as the verifier sees it. */
export interface LotTransitionPublic {
  root: bigint;
  /** nIn entries; 0 for a disabled slot. */
  nullifiers: bigint[];
  /** Two entries; 0 for a disabled slot. */
  outCommitments: bigint[];
  inCommodity: bigint;
  outCommodity: bigint;
  factorNum: bigint;
  factorDen: bigint;
}

/** Witness input of `LotTransition(depth, nIn)`; keys spelled like its signals. */
export type LotTransitionInput = {
  root: string;
  nullifiers: string[];
  outCommitments: string[];
  inCommodity: string;
  outCommodity: string;
  factorNum: string;
  factorDen: string;
  inEnabled: string[];
  inOwnerSecret: string[];
  inQuantityGrams: string[];
  inEmissionsGramsCo2e: string[];
  inDeforestationFree: string[];
  inSalt: string[];
  inPathIndices: string[][];
  inSiblings: string[][];
  outEnabled: string[];
  outOwnerKey: string[];
  outQuantityGrams: string[];
  outEmissionsGramsCo2e: string[];
  outDeforestationFree: string[];
  outSalt: string[];
  addedEmissionsGramsCo2e: string;
};

/** What a new output needs besides the values the rules fix. */
export interface LotOutputRequest {
  /** The recipient's owner key (or the sender's, for a bearer passport). */
  ownerKey: bigint;
  quantityGrams: bigint;
  salt: bigint;
}

/**
 * The conversion of a plain transfer, merge or split: same commodity, factor 1/1.
 * @throws {TypeError|RangeError} if commodity is not a bigint in [0, 2^20)
 * @example identityConversion(90111n) // { inCommodity: 90111n, outCommodity: 90111n, factorNum: 1n, factorDen: 1n }
 */
export function identityConversion(commodity: bigint): LotConversion {
  assertUint(commodity, LOT_COMMODITY_BITS, 'commodity');
  return { inCommodity: commodity, outCommodity: commodity, factorNum: 1n, factorDen: 1n };
}

/**
 * Checks the shape of a conversion: commodities in [0, 2^20), factorNum in [0, 2^32),
 * factorDen in [1, 2^32). Whether the factor suits the commodities is a rule
 * (`lotTransitionViolations`).
 * @throws {TypeError} if not an object or a field is not a bigint; {RangeError} if out of range
 * @example assertLotConversion({ inCommodity: 80111n, outCommodity: 90111n, factorNum: 1n, factorDen: 5n }, 'conversion')
 */
export function assertLotConversion(conversion: unknown, title: string): asserts conversion is LotConversion {
  if (typeof conversion !== 'object' || conversion === null || Array.isArray(conversion)) typeError(title, 'LotConversion object', conversion);
  const c = conversion as Record<string, unknown>;
  assertUint(c.inCommodity, LOT_COMMODITY_BITS, `${title}.inCommodity`);
  assertUint(c.outCommodity, LOT_COMMODITY_BITS, `${title}.outCommodity`);
  assertUint(c.factorNum, LOT_FACTOR_BITS, `${title}.factorNum`);
  // factorDen = 0 would make the mass rule Σ out · 0 ≤ … hold for any output.
  assertBigintInRange(c.factorDen, `${title}.factorDen`, 1n, 1n << BigInt(LOT_FACTOR_BITS));
}

/**
 * The most output grams the mass rule allows: ⌊Σ input grams · factorNum / factorDen⌋.
 * @throws {TypeError|RangeError} if a note or the conversion is malformed, or there are more than 16 inputs
 * @example maxOutputGrams([cherries], { inCommodity: 80111n, outCommodity: 90111n, factorNum: 1n, factorDen: 5n }) // a fifth
 */
export function maxOutputGrams(inputs: readonly LotNote[], conversion: LotConversion): bigint {
  assertNotes(inputs, 'inputs');
  assertLotConversion(conversion, 'conversion');
  return (sumOf(inputs, 'quantityGrams') * conversion.factorNum) / conversion.factorDen;
}

/**
 * Splits the emissions E = Σ input emissions + added over the outputs in proportion to
 * their grams, each share rounded up: out_j = ⌈E · q_j / Σ q⌉. This is the least
 * allocation the circuit accepts (every output's intensity at least the average, nothing
 * dropped); rounding costs the prover at most one gram per output, never the reverse.
 * When every output has 0 g, the first output carries all of E.
 * @param inputs - the notes spent (their emissions are summed)
 * @param addedEmissionsGramsCo2e - the prover's own emissions, in [0, 2^64)
 * @param outputQuantities - grams of each output, 0..2 of them, each in [0, 2^48)
 * @returns emissions of each output, g CO2e
 * @throws {TypeError|RangeError} if an argument is malformed
 * @throws {CanopyError} INVALID_INPUT if E > 0 and there is no output to carry it;
 *   OUT_OF_RANGE if a share does not fit 64 bits
 * @example allocateEmissions([note100g300e], 0n, [60n, 40n]) // [180n, 120n]
 */
export function allocateEmissions(inputs: readonly LotNote[], addedEmissionsGramsCo2e: bigint, outputQuantities: readonly bigint[]): bigint[] {
  assertNotes(inputs, 'inputs');
  assertUint(addedEmissionsGramsCo2e, LOT_EMISSIONS_GRAMS_CO2E_BITS, 'addedEmissionsGramsCo2e');
  assertArray(outputQuantities, 'outputQuantities', 0, LOT_TRANSITION_OUTPUTS);
  outputQuantities.forEach((q, j) => assertUint(q, LOT_QUANTITY_GRAMS_BITS, `outputQuantities[${j}]`));
  const total = sumOf(inputs, 'emissionsGramsCo2e') + addedEmissionsGramsCo2e;
  const grams = outputQuantities.reduce((a, q) => a + q, 0n);
  if (outputQuantities.length === 0) {
    if (total > 0n) throw new CanopyError('INVALID_INPUT', `emissions of ${total} g CO2e need at least one output to carry them`);
    return [];
  }
  const shares = grams === 0n ? outputQuantities.map((_, j) => (j === 0 ? total : 0n)) : outputQuantities.map((q) => ceilDiv(total * q, grams));
  shares.forEach((e, j) => {
    if (e >= 1n << BigInt(LOT_EMISSIONS_GRAMS_CO2E_BITS)) {
      throw new CanopyError('OUT_OF_RANGE', `output ${j} would carry ${e} g CO2e, more than a note holds (< 2^${LOT_EMISSIONS_GRAMS_CO2E_BITS})`);
    }
  });
  return shares;
}

/**
 * The deforestation-free flag an output may carry: true only if every input's is.
 * @throws {TypeError|RangeError} if a note is malformed
 * @example outputDeforestationFree([freeNote, notFreeNote]) // false
 */
export function outputDeforestationFree(inputs: readonly LotNote[]): boolean {
  assertNotes(inputs, 'inputs');
  return inputs.every((n) => n.deforestationFree);
}

/**
 * The output notes a valid transition must have for the requested owners, grams and
 * salts: commodity = conversion.outCommodity, emissions from `allocateEmissions`, flag
 * from `outputDeforestationFree`.
 * @throws {TypeError|RangeError} if an argument is malformed
 * @throws {CanopyError} INVALID_INPUT if an input is not of conversion.inCommodity or the
 *   outputs hold more than `maxOutputGrams`; OUT_OF_RANGE as `allocateEmissions`
 * @example
 * const [toBuyer, change] = transitionOutputs([note], 0n, identityConversion(90111n), [
 *   { ownerKey: buyerKey, quantityGrams: 60n, salt: s1 }, { ownerKey: myKey, quantityGrams: 40n, salt: s2 }]);
 */
export function transitionOutputs(
  inputs: readonly LotNote[],
  addedEmissionsGramsCo2e: bigint,
  conversion: LotConversion,
  requests: readonly LotOutputRequest[],
): LotNote[] {
  assertNotes(inputs, 'inputs');
  assertLotConversion(conversion, 'conversion');
  assertArray(requests, 'requests', 0, LOT_TRANSITION_OUTPUTS);
  requests.forEach((r, j) => {
    if (typeof r !== 'object' || r === null) typeError(`requests[${j}]`, 'LotOutputRequest object', r);
    assertField(r.ownerKey, `requests[${j}].ownerKey`);
    assertUint(r.quantityGrams, LOT_QUANTITY_GRAMS_BITS, `requests[${j}].quantityGrams`);
    assertField(r.salt, `requests[${j}].salt`);
  });
  inputs.forEach((n, i) => {
    if (n.commodity !== conversion.inCommodity) throw new CanopyError('INVALID_INPUT', `inputs[${i}] has commodity ${n.commodity}, want inCommodity ${conversion.inCommodity}`);
  });
  const max = maxOutputGrams(inputs, conversion);
  const grams = requests.reduce((a, r) => a + r.quantityGrams, 0n);
  if (grams > max) throw new CanopyError('INVALID_INPUT', `outputs hold ${grams} g, more than the ${max} g the inputs allow at ${conversion.factorNum}/${conversion.factorDen}`);
  const emissions = allocateEmissions(inputs, addedEmissionsGramsCo2e, requests.map((r) => r.quantityGrams));
  const free = outputDeforestationFree(inputs);
  return requests.map((r, j) => ({
    ownerKey: r.ownerKey,
    commodity: conversion.outCommodity,
    quantityGrams: r.quantityGrams,
    emissionsGramsCo2e: emissions[j]!,
    deforestationFree: free,
    salt: r.salt,
  }));
}

/**
 * Every rule of docs/lots.md the transition breaks, as the circuit would find them; an
 * empty list means the witness will satisfy the circuit. Malformed data (wrong types,
 * out-of-range fields, more inputs than nIn, proofs of another depth) throws instead.
 * @returns messages such as `mass: Σ out grams · factorDen = 101 > Σ in grams · factorNum = 100`
 * @throws {TypeError|RangeError} if the transition or params are malformed
 * @example lotTransitionViolations(t, { depth: 4, nIn: 2 }) // []
 */
export function lotTransitionViolations(transition: LotTransition, params: LotTransitionParams): string[] {
  assertTransition(transition, params);
  const { inputs, outputs, addedEmissionsGramsCo2e: added, conversion: c } = transition;
  const out: string[] = [];
  // Rule 1: spends.
  if (inputs.length === 0) out.push('spends: a transition needs at least one input');
  const seen = new Map<bigint, number>();
  inputs.forEach((s, i) => {
    const cm = noteCommitment(s.note);
    if (ownerKey(s.ownerSecret) !== s.note.ownerKey) out.push(`spends: inputs[${i}].ownerSecret does not open note.ownerKey ${s.note.ownerKey}`);
    if (s.proof.leaf !== cm) out.push(`spends: inputs[${i}].proof is for leaf ${s.proof.leaf}, not the note's commitment ${cm}`);
    else if (!verifyMerkleProof(s.proof)) out.push(`spends: inputs[${i}].proof does not reach its root ${s.proof.root}`);
    if (s.proof.root !== inputs[0]!.proof.root) out.push(`spends: inputs[${i}].proof.root ${s.proof.root} differs from inputs[0].proof.root ${inputs[0]!.proof.root}`);
    const nf = nullifier(cm, s.ownerSecret);
    const first = seen.get(nf);
    if (first !== undefined) out.push(`spends: inputs[${first}] and inputs[${i}] are the same note (nullifier ${nf})`);
    else seen.set(nf, i);
  });
  // Rule 2: commodities and factor.
  inputs.forEach((s, i) => {
    if (s.note.commodity !== c.inCommodity) out.push(`commodity: inputs[${i}] has ${s.note.commodity}, want inCommodity ${c.inCommodity}`);
  });
  outputs.forEach((n, j) => {
    if (n.commodity !== c.outCommodity) out.push(`commodity: outputs[${j}] has ${n.commodity}, want outCommodity ${c.outCommodity}`);
  });
  if (c.inCommodity === c.outCommodity && c.factorNum !== c.factorDen) out.push(`commodity: factor ${c.factorNum}/${c.factorDen} without a change of commodity, want 1`);
  // Rule 3: mass.
  const inNotes = inputs.map((s) => s.note);
  const gramsIn = sumOf(inNotes, 'quantityGrams');
  const gramsOut = sumOf(outputs, 'quantityGrams');
  if (gramsOut * c.factorDen > gramsIn * c.factorNum) {
    out.push(`mass: Σ out grams · factorDen = ${gramsOut * c.factorDen} > Σ in grams · factorNum = ${gramsIn * c.factorNum}`);
  }
  // Rule 4: emissions.
  const total = sumOf(inNotes, 'emissionsGramsCo2e') + added;
  const emissionsOut = sumOf(outputs, 'emissionsGramsCo2e');
  if (emissionsOut < total) out.push(`emissions: outputs carry ${emissionsOut} g CO2e, less than the ${total} g of inputs and added`);
  outputs.forEach((n, j) => {
    if (n.emissionsGramsCo2e * gramsOut < total * n.quantityGrams) {
      out.push(`emissions: outputs[${j}] carries ${n.emissionsGramsCo2e} g CO2e for ${n.quantityGrams} g, below the average ${total} g CO2e per ${gramsOut} g`);
    }
  });
  // Rule 5: deforestation-free.
  const free = inNotes.every((n) => n.deforestationFree);
  outputs.forEach((n, j) => {
    if (n.deforestationFree && !free) out.push(`deforestation-free: outputs[${j}] claims it, but not every input is`);
  });
  return out;
}

/**
 * The public statement of a valid transition: root, nullifiers padded with 0 to nIn,
 * output commitments padded with 0 to 2, and the conversion.
 * @throws {TypeError|RangeError} if the transition or params are malformed
 * @throws {CanopyError} INVALID_INPUT listing the broken rules (`lotTransitionViolations`)
 * @example lotTransitionPublicSignals(lotTransitionPublic(t, { depth: 4, nIn: 2 }))
 */
export function lotTransitionPublic(transition: LotTransition, params: LotTransitionParams): LotTransitionPublic {
  assertValid(transition, params);
  const { inputs, outputs, conversion } = transition;
  return {
    root: inputs[0]!.proof.root,
    nullifiers: pad(
      inputs.map((s) => nullifier(noteCommitment(s.note), s.ownerSecret)),
      params.nIn,
    ),
    outCommitments: pad(outputs.map(noteCommitment), LOT_TRANSITION_OUTPUTS),
    inCommodity: conversion.inCommodity,
    outCommodity: conversion.outCommodity,
    factorNum: conversion.factorNum,
    factorDen: conversion.factorDen,
  };
}

/**
 * The public signals a `LotTransition` proof is verified against, in snarkjs order:
 * root, nullifiers[0..nIn), outCommitments[0..2), inCommodity, outCommodity, factorNum,
 * factorDen.
 * @returns decimal strings, 1 + nIn + 2 + 4 of them
 * @throws {TypeError|RangeError} if a value is not a field element or an array has the wrong size
 * @example lotTransitionPublicSignals(pub).length // 9 when nIn = 2
 */
export function lotTransitionPublicSignals(pub: LotTransitionPublic): string[] {
  if (typeof pub !== 'object' || pub === null) typeError('pub', 'LotTransitionPublic object', pub);
  assertArray(pub.nullifiers, 'pub.nullifiers', 1, LOT_TRANSITION_MAX_INPUTS);
  assertArray(pub.outCommitments, 'pub.outCommitments', LOT_TRANSITION_OUTPUTS, LOT_TRANSITION_OUTPUTS);
  const values: Record<(typeof LOT_TRANSITION_PUBLIC_SIGNALS)[number], readonly bigint[]> = {
    root: [pub.root],
    'nullifiers[nIn]': pub.nullifiers,
    'outCommitments[2]': pub.outCommitments,
    inCommodity: [pub.inCommodity],
    outCommodity: [pub.outCommodity],
    factorNum: [pub.factorNum],
    factorDen: [pub.factorDen],
  };
  return LOT_TRANSITION_PUBLIC_SIGNALS.flatMap((name) => {
    const bracket = name.indexOf('[');
    const title = (i: number) => (bracket < 0 ? `pub.${name}` : `pub.${name.slice(0, bracket)}[${i}]`);
    return values[name].map((v, i) => fieldToString(v, title(i)));
  });
}

/**
 * Builds the witness input of `LotTransition(depth, nIn)` for a valid transition.
 * @throws {TypeError|RangeError} if the transition or params are malformed
 * @throws {CanopyError} INVALID_INPUT listing the broken rules (`lotTransitionViolations`)
 * @example
 * const input = lotTransitionWitnessInput(
 *   { inputs: [{ note, ownerSecret, proof: tree.proof(0) }], outputs, addedEmissionsGramsCo2e: 0n, conversion },
 *   { depth: 4, nIn: 2 });
 */
export function lotTransitionWitnessInput(transition: LotTransition, params: LotTransitionParams): LotTransitionInput {
  const pub = lotTransitionPublic(transition, params);
  const { inputs, outputs } = transition;
  const { depth, nIn } = params;
  const s = (v: bigint) => v.toString(10);
  const inSlot = <T>(i: number, enabled: (spend: LotSpend) => T, disabled: T): T => (i < inputs.length ? enabled(inputs[i]!) : disabled);
  const outSlot = (j: number, enabled: (note: LotNote) => bigint): string => (j < outputs.length ? s(enabled(outputs[j]!)) : '0');
  const slotsIn = Array.from({ length: nIn }, (_, i) => i);
  const slotsOut = Array.from({ length: LOT_TRANSITION_OUTPUTS }, (_, j) => j);
  const zeros = Array.from({ length: depth }, () => '0');
  return {
    root: s(pub.root),
    nullifiers: pub.nullifiers.map(s),
    outCommitments: pub.outCommitments.map(s),
    inCommodity: s(pub.inCommodity),
    outCommodity: s(pub.outCommodity),
    factorNum: s(pub.factorNum),
    factorDen: s(pub.factorDen),
    inEnabled: slotsIn.map((i) => inSlot(i, () => '1', '0')),
    inOwnerSecret: slotsIn.map((i) => inSlot(i, (x) => s(x.ownerSecret), '0')),
    inQuantityGrams: slotsIn.map((i) => inSlot(i, (x) => s(x.note.quantityGrams), '0')),
    inEmissionsGramsCo2e: slotsIn.map((i) => inSlot(i, (x) => s(x.note.emissionsGramsCo2e), '0')),
    // A disabled slot's flag is 1: neutral in the AND of the input flags.
    inDeforestationFree: slotsIn.map((i) => inSlot(i, (x) => (x.note.deforestationFree ? '1' : '0'), '1')),
    inSalt: slotsIn.map((i) => inSlot(i, (x) => s(x.note.salt), '0')),
    inPathIndices: slotsIn.map((i) => inSlot(i, (x) => pathIndices(x.proof.leafIndex, depth).map(String), zeros)),
    inSiblings: slotsIn.map((i) => inSlot(i, (x) => x.proof.siblings.map(s), zeros)),
    outEnabled: slotsOut.map((j) => (j < outputs.length ? '1' : '0')),
    outOwnerKey: slotsOut.map((j) => outSlot(j, (n) => n.ownerKey)),
    outQuantityGrams: slotsOut.map((j) => outSlot(j, (n) => n.quantityGrams)),
    outEmissionsGramsCo2e: slotsOut.map((j) => outSlot(j, (n) => n.emissionsGramsCo2e)),
    outDeforestationFree: slotsOut.map((j) => outSlot(j, (n) => (n.deforestationFree ? 1n : 0n))),
    outSalt: slotsOut.map((j) => outSlot(j, (n) => n.salt)),
    addedEmissionsGramsCo2e: s(transition.addedEmissionsGramsCo2e),
  };
}

function assertParams(params: unknown): asserts params is LotTransitionParams {
  if (typeof params !== 'object' || params === null) typeError('params', 'LotTransitionParams object', params);
  const p = params as Record<string, unknown>;
  assertMerkleDepth(p.depth, 'params.depth');
  assertInteger(p.nIn, 'params.nIn', 1, LOT_TRANSITION_MAX_INPUTS);
}

function assertNotes(notes: unknown, title: string): asserts notes is readonly LotNote[] {
  assertArray(notes, title, 0, LOT_TRANSITION_MAX_INPUTS);
  notes.forEach((n, i) => assertLotNote(n, `${title}[${i}]`));
}

function assertTransition(transition: unknown, params: unknown): asserts transition is LotTransition {
  assertParams(params);
  if (typeof transition !== 'object' || transition === null) typeError('transition', 'LotTransition object', transition);
  const t = transition as Record<string, unknown>;
  assertArray(t.inputs, 'transition.inputs', 0, params.nIn);
  t.inputs.forEach((x, i) => {
    const title = `transition.inputs[${i}]`;
    if (typeof x !== 'object' || x === null) typeError(title, 'LotSpend object', x);
    const spend = x as Record<string, unknown>;
    assertLotNote(spend.note, `${title}.note`);
    assertField(spend.ownerSecret, `${title}.ownerSecret`);
    assertMerkleProof(spend.proof, `${title}.proof`);
    if (spend.proof.depth !== params.depth) rangeError(`${title}.proof.depth`, `the circuit's depth ${params.depth}`, spend.proof.depth);
  });
  assertArray(t.outputs, 'transition.outputs', 0, LOT_TRANSITION_OUTPUTS);
  t.outputs.forEach((n, j) => assertLotNote(n, `transition.outputs[${j}]`));
  assertUint(t.addedEmissionsGramsCo2e, LOT_EMISSIONS_GRAMS_CO2E_BITS, 'transition.addedEmissionsGramsCo2e');
  assertLotConversion(t.conversion, 'transition.conversion');
}

function assertValid(transition: LotTransition, params: LotTransitionParams): void {
  const broken = lotTransitionViolations(transition, params);
  if (broken.length > 0) throw new CanopyError('INVALID_INPUT', `transition breaks ${broken.length} rule(s) of docs/lots.md: ${broken.join('; ')}`);
}

function sumOf(notes: readonly LotNote[], field: 'quantityGrams' | 'emissionsGramsCo2e'): bigint {
  return notes.reduce((a, n) => a + n[field], 0n);
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

function pad(values: bigint[], length: number): bigint[] {
  return [...values, ...Array.from({ length: length - values.length }, () => 0n)];
}
