// `canopy lot capacity | mint | transfer | merge | split | process | receive` run through
// the real program (tests/_canopy.ts) against a registry started here, with real
// Groth16 proofs of the test profile (10 in all: a plot window, a capacity issue, a
// deforestation-free mint, four plain mints (one refused for a tampered native proof), a
// transfer, a process and a split). Every refusal of bad input is checked to leave the
// wallet's files exactly as they were.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../circuits/toolchain/project-root.ts';
import { noteCommitment, ownerKey } from '../../core/lots/note.ts';
import { generateNoteKey } from '../../core/note/note-key.ts';
import { lotEmissionsFromFootprint } from '../../core/pact/lot-emissions.ts';
import { newStored } from '../../prover/lots/lot-step.ts';
import type { StoredNote } from '../../prover/lots/note-file.ts';
import { Wallet } from '../../prover/lots/wallet.ts';
import { REGISTRY_KEY } from '../registry/_fixtures.ts';
import { runCanopy, type CanopyRun } from '../_canopy.ts';
import { labelled } from '../passport/_fixtures.ts';
import { attestPlot, cleanDataset, ensureLotKeys, LOT_KEYS, PROFILE, registerDataset, startLotsRegistry, type LotParty, type LotsRegistry } from './_lots-registry.ts';

const YEAR = new Date().getUTCFullYear();
const FOOTPRINT = join(PROJECT_ROOT, 'examples', 'footprints', 'green-coffee-pact-v3.json');

let tmp: string;
let lots: LotsRegistry;
const party: Record<string, LotParty> = {};
const wallet = (name: string) => join(tmp, `${name}.wallet`);
const cardOf = (name: string) => join(wallet(name), 'card.json');
const file = (name: string) => join(tmp, name);

/** `canopy lot <cmd> …args` as `name`, with the registry flags. */
function lot(name: string, cmd: string, ...args: string[]): Promise<CanopyRun> {
  return runCanopy(['lot', cmd, ...args, '--wallet', wallet(name), '--registry', lots.url, '--key', party[name]!.keyFile, '--profile', PROFILE, '--keys', LOT_KEYS]);
}
const json = <T>(r: CanopyRun): T => {
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out) as T;
};
type StepJson = { sequences: number[]; notes: { commitment: string; kind: string; status: string; quantityGrams?: string; emissionsGramsCo2e?: string; deforestationFree?: boolean; capacityGrams?: string; ownerKey: string }[]; passports: { file: string; bearer: boolean }[] };
async function notesOf(name: string): Promise<StepJson['notes']> {
  const r = await runCanopy(['lot', 'list', '--wallet', wallet(name), '--json']);
  return json<{ notes: StepJson['notes'] }>(r).notes;
}
const ref = (commitment: string) => commitment.slice(0, 20);

/** Every file of a wallet with its bytes. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const f of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, f.name);
      if (f.isDirectory()) walk(p);
      else out[p] = readFileSync(p, 'base64');
    }
  };
  walk(dir);
  return out;
}

/** Runs `run` and expects exit 1 with `why` on stderr and the wallet unchanged. */
async function refused(name: string, why: RegExp, run: () => Promise<CanopyRun>): Promise<void> {
  const before = snapshot(wallet(name));
  const r = await run();
  expect([r.code, r.err.split('\n').filter((l) => l.startsWith('canopy:')).join('\n')]).toEqual([1, expect.stringMatching(why)]);
  expect(snapshot(wallet(name))).toEqual(before);
}

beforeAll(async () => {
  await ensureLotKeys();
  tmp = mkdtempSync(join(tmpdir(), 'canopy-lot-cli-'));
  lots = await startLotsRegistry(tmp);
  for (const name of ['farm', 'coop', 'importer', 'spare']) {
    party[name] = await lots.party(name);
    expect((await runCanopy(['lot', 'keygen', '--wallet', wallet(name)])).code).toBe(0);
  }
  await registerDataset(lots.reg, cleanDataset(), await lots.party('publisher', 'publisher'));
}, 1_800_000);

afterAll(async () => {
  await lots?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('canopy lot mint', () => {
  describe('with --footprint', () => {
    it('mints a lot of the wallet\'s key whose emissions follow from the PACT footprint, reporting progress with timings', async () => {
      const r = await lot('farm', 'mint', '--commodity', '090111', '--quantity-grams', '1200000', '--footprint', FOOTPRINT, '--json');
      const out = json<StepJson>(r);
      const want = lotEmissionsFromFootprint(JSON.parse(readFileSync(FOOTPRINT, 'utf8')), 1_200_000n).emissionsGramsCo2e;
      expect(out.notes).toEqual([expect.objectContaining({ kind: 'lot', status: 'unspent', quantityGrams: '1200000', emissionsGramsCo2e: want.toString(), deforestationFree: false })]);
      expect(out.notes[0]!.ownerKey).toBe(ownerKey(BigInt(readFileSync(join(wallet('farm'), 'owner-secret'), 'utf8').trim())).toString());
      expect(r.err).toMatch(/proved mint in \d+\.\d s \(snarkjs\)\nregistry accepted entry \d+ \(\d+\.\d s\)\ncheckpoint of size \d+ covers it \(\d+\.\d s\)/);
    });
  });

  describe('with --prover naming no executable', () => {
    it('says so and proves with snarkjs', async () => {
      const r = await lot('farm', 'mint', '--commodity', '1000001', '--quantity-grams', '3000000', '--emissions-grams-co2e', '1500000', '--prover', join(tmp, 'no-such-prover'));
      expect(r.code, r.err).toBe(0);
      expect(r.err).toContain(`prover ${join(tmp, 'no-such-prover')} is not an executable file: proving with snarkjs`);
      expect(r.out).toMatch(/minted a lot \(1500000 g CO2e, declared-total\) \(registry entry \d+\)\n {2}\d{12}… {2}lot {7}unspent\s+3000000 g of 1000001 \(fresh coffee cherries\)/);
    });
  });

  describe('with --prover naming a native prover', () => {
    it('writes the witness, calls PATH zkey wtns proof.json public.json, and checks the proof', async () => {
      const prover = file('fake-rapidsnark.mjs');
      const calls = file('prover-calls.txt');
      // A stand-in for rapidsnark with its command line, proving with snarkjs from the .wtns.
      writeFileSync(
        prover,
        `#!/usr/bin/env node
import { appendFileSync, writeFileSync } from 'node:fs';
const snarkjs = await import(${JSON.stringify(join(PROJECT_ROOT, 'node_modules', 'snarkjs', 'main.js'))});
const [zkey, wtns, proofFile, publicFile] = process.argv.slice(2);
appendFileSync(${JSON.stringify(calls)}, process.argv.slice(2).map((a) => a.split('.').pop()).join(' ') + '\\n');
const { proof, publicSignals } = await snarkjs.groth16.prove(zkey, wtns);
delete proof.curve;
if (process.env.CANOPY_TEST_TAMPER === '1') publicSignals[0] = '1';
writeFileSync(proofFile, JSON.stringify(proof));
writeFileSync(publicFile, JSON.stringify(publicSignals));
process.exit(0);
`,
      );
      chmodSync(prover, 0o755);
      const r = await lot('farm', 'mint', '--commodity', '1000001', '--quantity-grams', '2000000', '--emissions-grams-co2e', '1000000', '--prover', prover, '--json');
      expect(json<StepJson>(r).notes[0]).toMatchObject({ quantityGrams: '2000000', status: 'unspent' });
      expect(r.err).toContain(`(${prover})`);
      expect(readFileSync(calls, 'utf8')).toBe('zkey wtns json json\n');
    });
    it('exits 1 when its public signals are not the witness\'s, leaving the wallet unchanged', async () => {
      process.env.CANOPY_TEST_TAMPER = '1';
      try {
        await refused('farm', /PROOF_INVALID: prover .*fake-rapidsnark\.mjs wrote public signals that are not the witness's/, () =>
          lot('farm', 'mint', '--commodity', '090111', '--quantity-grams', '1', '--emissions-grams-co2e', '1', '--prover', file('fake-rapidsnark.mjs')),
        );
      } finally {
        delete process.env.CANOPY_TEST_TAMPER;
      }
    });
    it('exits 1 naming the prover when it fails, leaving the wallet unchanged', async () => {
      const failing = file('failing-prover.sh');
      writeFileSync(failing, '#!/bin/sh\necho "out of memory" >&2\nexit 3\n');
      chmodSync(failing, 0o755);
      await refused('farm', /PROOF_INVALID: prover .*failing-prover\.sh failed \(exit 3\): out of memory/, () => lot('farm', 'mint', '--commodity', '090111', '--quantity-grams', '1', '--emissions-grams-co2e', '1', '--prover', failing));
    });
  });

  describe('with --deforestation-free and no capacity', () => {
    it('exits 1 saying the wallet holds none, before any proof', async () => {
      await refused('coop', /not enough capacity: the wallet holds no capacity for 1000001/, () => lot('coop', 'mint', '--commodity', '1000001', '--quantity-grams', '1', '--emissions-grams-co2e', '1', '--deforestation-free'));
    });
  });
});

describe('canopy lot transfer and receive', () => {
  it('transfers the cherries to the cooperative\'s card; the cooperative receives the passport', async () => {
    const cherries = (await notesOf('farm')).filter((n) => n.quantityGrams === '3000000')[0]!;
    const sent = json<StepJson>(await lot('farm', 'transfer', ref(cherries.commitment), '--to', cardOf('coop'), '--out', file('cherries.passport'), '--registry-key', REGISTRY_KEY.verifierKey, '--json'));
    expect(sent.passports).toEqual([expect.objectContaining({ file: file('cherries.passport'), bearer: false, encrypted: true })]);
    const r = await lot('coop', 'receive', file('cherries.passport'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/received the note\n {2}\d{12}… {2}lot {7}unspent\s+3000000 g of 1000001/);
    expect((await notesOf('coop')).map((n) => n.commitment)).toEqual([sent.notes.find((n) => n.status === 'sent')!.commitment]);
  });

  it('refuses a passport file that is not a passport, or not for this wallet', async () => {
    writeFileSync(file('garbage.passport'), 'not a passport');
    await refused('coop', /PASSPORT_MALFORMED: .*neither an encrypted passport/, () => lot('coop', 'receive', file('garbage.passport')));
    await refused('importer', /PASSPORT_UNDECRYPTABLE/, () => lot('importer', 'receive', file('cherries.passport')));
    await refused('coop', /NOT_FOUND: no passport file/, () => lot('coop', 'receive', file('none.passport')));
    await refused('coop', /WALLET_CONFLICT: the wallet already holds note/, () => lot('coop', 'receive', file('cherries.passport')));
  });

  it('refuses a checkpoint not signed by the --registry-key given', async () => {
    const [held] = await notesOf('coop');
    await refused('coop', /NOTE_UNVERIFIED|SIGNATURE_INVALID|not signed/, () => lot('coop', 'transfer', ref(held!.commitment), '--to', cardOf('importer'), '--out', file('x.passport'), '--registry-key', generateNoteKey('registry.test/canopy').verifierKey));
  });
});

describe('canopy lot process and split', () => {
  it('refuses an unknown rule, a rule for another commodity and more output than the rule allows', async () => {
    const [held] = await notesOf('coop');
    const args = (rule: string, grams: string) => lot('coop', 'process', ref(held!.commitment), '--rule', rule, '--output-grams', grams, '--added-emissions-grams-co2e', '100');
    await refused('coop', /PARAMETER_UNKNOWN: no processing rule "roasting"; known rules: coffee-hulling, palm-oil-extraction/, () => args('roasting', '1'));
    await refused('coop', /rule palm-oil-extraction takes 120710 \(oil palm fruit and kernels\) .* the notes are 1000001 \(fresh coffee cherries\)/, () => args('palm-oil-extraction', '1'));
    await refused('coop', /insufficient quantity: coffee-hulling turns 3000000 g of input into at most 600000 g \(1\/5\), not 600001 g/, () => args('coffee-hulling', '600001'));
  });

  it('hulls the cherries into green coffee with the added emissions', async () => {
    const [held] = await notesOf('coop');
    const out = json<StepJson>(await lot('coop', 'process', ref(held!.commitment), '--rule', 'coffee-hulling', '--output-grams', '600000', '--added-emissions-grams-co2e', '240000', '--json'));
    expect(out.notes.find((n) => n.status === 'unspent')).toMatchObject({ quantityGrams: '600000', emissionsGramsCo2e: '1740000', deforestationFree: false });
  });

  it('refuses a split larger than the note, and a merge of one note or more notes than nIn', async () => {
    const [green] = (await notesOf('coop')).filter((n) => n.status === 'unspent');
    await refused('coop', /insufficient quantity: note \d{12}… holds 600000 g, the parts ask 600001 g \(400000 \+ 200001\)/, () => lot('coop', 'split', ref(green!.commitment), '--quantities-grams', '400000,200001'));
    await refused('coop', /a merge takes at least 2 notes, got 1/, () => lot('coop', 'merge', ref(green!.commitment)));
    const farmLots = (await notesOf('farm')).filter((n) => n.status === 'unspent');
    expect(farmLots.length).toBe(2);
    await refused('farm', /the notes are of different commodities \(\d{12}…: 90111 \(green coffee/, () => lot('farm', 'merge', ...farmLots.map((n) => ref(n.commitment))));
  });

  it('splits with --to: the first part to the importer (passport), the rest kept', async () => {
    const [green] = (await notesOf('coop')).filter((n) => n.status === 'unspent');
    const out = json<StepJson>(await lot('coop', 'split', ref(green!.commitment), '--quantities-grams', '250000', '--to', cardOf('importer'), '--out', file('part.passport'), '--added-emissions-grams-co2e', '10', '--json'));
    // E = 1,740,010 over 250,000 + 350,000 g, each share rounded up.
    expect(out.notes.filter((n) => n.kind === 'lot' && n.status !== 'spent').map((n) => [n.status, n.quantityGrams, n.emissionsGramsCo2e])).toEqual([
      ['sent', '250000', '725005'],
      ['unspent', '350000', '1015006'],
    ]);
    const r = await lot('importer', 'receive', file('part.passport'), '--json');
    expect(json<StepJson>(r).notes[0]).toMatchObject({ quantityGrams: '250000', status: 'unspent' });
  });
});

describe('note references', () => {
  let notes: StoredNote[];
  beforeAll(async () => {
    // Made-up notes in a wallet of their own: the references fail before any registry call.
    const w = await Wallet.open(wallet('spare'));
    notes = [];
    for (let i = 0; notes.length < 2 || !notes.some((a, j) => notes.some((b, k) => j !== k && a.commitment.toString()[0] === b.commitment.toString()[0])); i++) {
      const note = { ownerKey: w.ownerKey, commodity: 90111n, quantityGrams: 10n, emissionsGramsCo2e: 1n, deforestationFree: false, salt: labelled(`spare-${i}`) };
      const n = { ...newStored({ kind: 'lot', note, commitment: noteCommitment(note) }, null, `spare ${i}`), status: 'unspent', leafIndex: i, registry: { origin: 'registry.test/canopy', sequence: 1 } } as StoredNote;
      w.add(n);
      notes.push(n);
    }
  });
  it('exits 1 for an unknown note and for an ambiguous prefix, naming them', async () => {
    const digits = notes.map((n) => n.commitment.toString()[0]!);
    const shared = digits.find((d, i) => digits.indexOf(d) !== i)!;
    const unused = ['1', '2', '3', '4', '5', '6', '7', '8', '9'].find((d) => !digits.includes(d)) ?? '99999999999999999999';
    await refused('spare', /NOT_FOUND: no note \d+… in the wallet/, () => lot('spare', 'transfer', unused, '--to', cardOf('coop'), '--out', file('y.passport')));
    await refused('spare', /note reference \d is ambiguous: \d+ notes start with it/, () => lot('spare', 'split', shared, '--quantities-grams', '5'));
  });
});

describe('canopy lot capacity', () => {
  let opening: string;
  let proof: string;
  beforeAll(async () => {
    const secret = BigInt(readFileSync(join(wallet('farm'), 'owner-secret'), 'utf8').trim());
    ({ openingFile: opening, proofFile: proof } = await attestPlot(tmp, 'farm-plot', cleanDataset(), { x: 2, y: 1 }, 5, secret, 'farm.wallet/owner-secret'));
  }, 600_000);

  it('refuses a commodity without a yield ceiling, a year ahead, and a plot the registry lacks', async () => {
    await refused('farm', /PARAMETER_UNKNOWN: no yield ceiling for commodity 90111 .*: capacity is issued for 1000001/, () => lot('farm', 'capacity', opening, '--commodity', '090111', '--harvest-year', String(YEAR)));
    await refused('farm', new RegExp(`harvest year ${YEAR + 1}: capacity is issued for this year \\(${YEAR}\\) or the last`), () => lot('farm', 'capacity', opening, '--commodity', '1000001', '--harvest-year', String(YEAR + 1)));
    await refused('farm', /plots tree does not hold the attestation of window 1 of 1: submit the plot proof first \(--plot-proof farm-plot\.proof\.json\)/, () => lot('farm', 'capacity', opening, '--commodity', '1000001', '--harvest-year', String(YEAR)));
  });

  it('submits the plot proof and issues pixels × ceiling of capacity; a deforestation-free mint spends it', async () => {
    const issued = json<StepJson>(await lot('farm', 'capacity', opening, '--commodity', '1000001', '--harvest-year', String(YEAR), '--plot-proof', proof, '--json'));
    expect(issued.notes).toEqual([expect.objectContaining({ kind: 'capacity', status: 'unspent', capacityGrams: String(5 * 1_544_000) })]);
    await refused('farm', /not enough capacity: .* has 7720000 g left, the lot is 7720001 g/, () =>
      lot('farm', 'mint', '--commodity', '1000001', '--quantity-grams', '7720001', '--emissions-grams-co2e', '1', '--deforestation-free', '--capacity', ref(issued.notes[0]!.commitment)),
    );
    await refused('farm', /not enough capacity: .* harvest 2000/, () => lot('farm', 'mint', '--commodity', '1000001', '--quantity-grams', '1', '--emissions-grams-co2e', '1', '--deforestation-free', '--harvest-year', '2000'));
    const minted = json<StepJson>(await lot('farm', 'mint', '--commodity', '1000001', '--quantity-grams', '7000000', '--emissions-grams-co2e', '4200000', '--deforestation-free', '--harvest-year', String(YEAR), '--json'));
    expect(minted.notes.filter((n) => n.status === 'unspent').map((n) => [n.kind, n.quantityGrams ?? n.capacityGrams, n.deforestationFree ?? null])).toEqual([
      ['lot', '7000000', true],
      ['capacity', '720000', null],
    ]);
    const list = await runCanopy(['lot', 'list', '--wallet', wallet('farm'), '--all']);
    expect(list.out).toMatch(/capacity {2}spent/);
  });
});
