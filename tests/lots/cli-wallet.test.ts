// `canopy lot keygen | list | show | passport`, the wallet folder and its file formats,
// and the flag parsers of every lot command: everything that needs neither a proof nor
// a registry. Notes are made up (fixed salts) and stored as a finished step would.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noteCommitment, ownerKey, type LotNote } from '../../core/lots/note.ts';
import { capacityCommitment, type CapacityNote } from '../../core/lots/capacity-note.ts';
import { passportFromJson } from '../../core/passport/lot-passport.ts';
import { checkPassport } from '../../core/passport/check-passport.ts';
import { capacityFromFlags, lotCommonFromFlags, mintFromFlags, noteSummary, parseCommodity, parseEmissions, parseGrams, parseHarvestYear, parseQuantities, recipientFromFlags } from '../../prover/cli/commands/lot.ts';
import { newStored } from '../../prover/lots/lot-step.ts';
import { formatNoteFile, parseNoteFile, type StoredNote } from '../../prover/lots/note-file.ts';
import { formatRecipientCard, parseRecipientCard } from '../../prover/lots/recipient-card.ts';
import { createWallet, Wallet } from '../../prover/lots/wallet.ts';
import { generateNoteKey } from '../../core/note/note-key.ts';
import { runCanopy } from '../_canopy.ts';
import { R } from '../hostile-inputs.ts';
import { labelled } from '../passport/_fixtures.ts';

let tmp: string;
let seller: string;
let buyer: string;
const canopy = (...args: string[]) => runCanopy(args);

/** A lot note of `wallet`'s key (or `key`), stored with the given status. */
function stored(key: bigint, label: string, status: 'pending' | 'unspent' | 'spent', extra: Partial<StoredNote> = {}): StoredNote {
  const note: LotNote = { ownerKey: key, commodity: 90111n, quantityGrams: 18_000_000n, emissionsGramsCo2e: 81_000_000n, deforestationFree: true, salt: labelled(label) };
  const base = newStored({ kind: 'lot', note, commitment: noteCommitment(note) }, null, label);
  const placed = status === 'pending' ? {} : { leafIndex: 7, registry: { origin: 'registry.test/canopy', sequence: 3 } };
  return { ...base, status, ...placed, ...(status === 'spent' ? { spentBy: 9 } : {}), ...extra } as StoredNote;
}

/** Every file of a folder with its bytes, to show a command changed nothing. */
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

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'canopy-lot-wallet-'));
  seller = join(tmp, 'seller.wallet');
  buyer = join(tmp, 'buyer.wallet');
  await createWallet(buyer);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('canopy lot keygen', () => {
  describe('when the folder holds no wallet', () => {
    it('writes the secrets 0600 and a public card of the owner key and X25519 key', async () => {
      const r = await canopy('lot', 'keygen', '--wallet', seller, '--json');
      expect(r.code, r.err).toBe(0);
      const out = JSON.parse(r.out) as { ownerKey: string; cardFile: string };
      expect(statSync(join(seller, 'owner-secret')).mode & 0o777).toBe(0o600);
      expect(statSync(join(seller, 'recipient.key')).mode & 0o777).toBe(0o600);
      expect(statSync(seller).mode & 0o777).toBe(0o700);
      const card = parseRecipientCard(readFileSync(out.cardFile, 'utf8'));
      const secret = BigInt(readFileSync(join(seller, 'owner-secret'), 'utf8').trim());
      expect([card.ownerKey, card.ownerKey.toString()]).toEqual([ownerKey(secret), out.ownerKey]);
      expect(readFileSync(out.cardFile, 'utf8')).not.toContain(secret.toString());
    });
    it('prints where the card is without --json', async () => {
      const r = await canopy('lot', 'keygen', '--wallet', join(tmp, 'third.wallet'));
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/created wallet .*\n {2}owner key {2}[0-9]+\n {2}card {7}.*card\.json \(public/);
    });
  });
  describe('when the folder already holds a wallet', () => {
    it('exits 1 with WALLET_CONFLICT and leaves every file as it was', async () => {
      const before = snapshot(seller);
      const r = await canopy('lot', 'keygen', '--wallet', seller);
      expect([r.code, r.err]).toEqual([1, expect.stringMatching(/WALLET_CONFLICT: .* already holds a wallet/)]);
      expect(snapshot(seller)).toEqual(before);
    });
  });
});

describe('canopy lot list and show', () => {
  let w: Wallet;
  let a: StoredNote;
  let sent: StoredNote;
  beforeAll(async () => {
    w = await Wallet.open(seller);
    a = stored(w.ownerKey, 'a', 'unspent');
    w.add(a);
    w.add(stored(w.ownerKey, 'gone', 'spent'));
    w.add(stored(w.ownerKey, 'waiting', 'pending'));
    sent = stored(ownerKey(5n), 'sent', 'unspent');
    w.add(sent);
    const cap: CapacityNote = { ownerKey: w.ownerKey, commodity: 1_000_001n, harvestYear: 2026n, capacityGrams: 61_760_000n, salt: 11n };
    w.add({ ...newStored({ kind: 'capacity', note: cap, commitment: capacityCommitment(cap) }, null, 'capacity'), status: 'unspent', leafIndex: 0, registry: { origin: 'registry.test/canopy', sequence: 2 } } as StoredNote);
  });

  describe('list', () => {
    it('shows unspent, pending, sent and capacity notes, spent ones only with --all', async () => {
      const r = await canopy('lot', 'list', '--wallet', seller, '--json');
      const notes = (JSON.parse(r.out) as { notes: { status: string; kind: string; memo: string }[] }).notes;
      expect(notes.map((n) => `${n.kind}:${n.status}:${n.memo}`).sort()).toEqual(['capacity:unspent:capacity', 'lot:pending:waiting', 'lot:sent:sent', 'lot:unspent:a']);
      const all = JSON.parse((await canopy('lot', 'list', '--wallet', seller, '--all', '--json')).out) as { notes: unknown[] };
      expect(all.notes).toHaveLength(5);
      const text = await canopy('lot', 'list', '--wallet', seller);
      expect(text.out).toMatch(/4 notes/);
      expect(text.out).toMatch(/lot {7}unspent {2}\s+18000000 g of 90111 \(green coffee \(not roasted, not decaffeinated\)\), 81000000 g CO2e \(4500 g\/kg\), deforestation-free, leaf 7/);
      expect(text.out).toMatch(/capacity {2}unspent {2}\s+61760000 g of 1000001 \(fresh coffee cherries\), harvest 2026, leaf 0/);
    });
  });

  describe('show', () => {
    it('finds a note by a unique prefix of its commitment', async () => {
      const r = await canopy('lot', 'show', a.commitment.toString().slice(0, 30), '--wallet', seller, '--json');
      expect(r.code, r.err).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({ commitment: a.commitment.toString(), status: 'unspent', quantityGrams: '18000000', gramsCo2ePerKg: '4500', deforestationFree: true, leafIndex: 7, sequence: 3 });
      expect(r.out).not.toContain(labelled('a').toString());
    });
    it('exits 1 NOT_FOUND for a prefix no note has', async () => {
      const missing = ['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => `${d}${'0'.repeat(40)}`).find((p) => !w.notes().some((n) => n.commitment.toString().startsWith(p)))!;
      const r = await canopy('lot', 'show', missing, '--wallet', seller);
      expect([r.code, r.err]).toEqual([1, expect.stringMatching(/NOT_FOUND: no note .* in the wallet/)]);
    });
    it('exits 1 naming the notes for a prefix several notes share', async () => {
      // The shared wallet's notes hang off a random owner key; this wallet's are fixed
      // (owner key and salts), so the two notes sharing a first digit are always the same.
      const dir = join(tmp, 'ambiguous.wallet');
      await createWallet(dir);
      const fixed = await Wallet.open(dir);
      const digits: string[] = [];
      let shared: string | undefined;
      for (let i = 0; shared === undefined && i < 20; i++) {
        const n = stored(ownerKey(5n), `ambiguous-${i}`, 'unspent');
        fixed.add(n);
        const d = n.commitment.toString()[0]!;
        if (digits.includes(d)) shared = d;
        digits.push(d);
      }
      expect(shared, 'two fixed notes share a first digit').toBeDefined();
      const r = await canopy('lot', 'show', shared!, '--wallet', dir);
      expect([r.code, r.err]).toEqual([1, expect.stringMatching(/INVALID_INPUT: note reference \d is ambiguous: \d notes start with it/)]);
    });
    it('exits 1 for a reference that is not digits', async () => {
      const r = await canopy('lot', 'show', '0x12', '--wallet', seller);
      expect([r.code, r.err]).toEqual([1, expect.stringMatching(/want the first digits of a note's commitment/)]);
    });
  });

  describe('when the folder holds no wallet', () => {
    it('exits 1 NOT_FOUND telling to run keygen', async () => {
      const r = await canopy('lot', 'list', '--wallet', join(tmp, 'nowhere'));
      expect([r.code, r.err]).toEqual([1, expect.stringMatching(/NOT_FOUND: no wallet in .*: run `canopy lot keygen/)]);
    });
  });

  describe('canopy lot passport', () => {
    it('writes a plain passport without any secret, which checks against the commitment', async () => {
      const out = join(tmp, 'a.passport.json');
      const r = await canopy('lot', 'passport', a.commitment.toString().slice(0, 30), '--out', out, '--wallet', seller);
      expect(r.code, r.err).toBe(0);
      const p = passportFromJson(readFileSync(out, 'utf8'));
      expect([p.ownerSecret, p.leafIndex, p.registry.sequence, checkPassport(p, a.commitment)]).toEqual([null, 7, 3, true]);
      expect(statSync(out).mode & 0o777).toBe(0o600);
    });
    it('encrypts to a card with --to; only that wallet opens it', async () => {
      const out = join(tmp, 'a.passport');
      const r = await canopy('lot', 'passport', a.commitment.toString().slice(0, 30), '--out', out, '--to', join(buyer, 'card.json'), '--wallet', seller, '--json');
      expect(JSON.parse(r.out)).toMatchObject({ encrypted: true, bearer: false });
      const p = (await Wallet.open(buyer)).decrypt(new Uint8Array(readFileSync(out)));
      expect(p.note).toEqual(a.note);
      expect(() => w.decrypt(new Uint8Array(readFileSync(out)))).toThrow(expect.objectContaining({ code: 'PASSPORT_UNDECRYPTABLE' }));
    });
    it('includes the one-time secret of a bearer note only with --to and --bearer, and records the copy', async () => {
      const secret = labelled('one-time');
      const bearerNote = stored(ownerKey(secret), 'bearer', 'unspent', { ownerSecret: secret, bearerCopy: false });
      w.add(bearerNote);
      const ref = bearerNote.commitment.toString().slice(0, 30);
      const plain = await canopy('lot', 'passport', ref, '--out', join(tmp, 'b.json'), '--bearer', '--wallet', seller);
      expect([plain.code, plain.err]).toEqual([1, expect.stringMatching(/written only encrypted to a recipient card/)]);
      const r = await canopy('lot', 'passport', ref, '--out', join(tmp, 'b.passport'), '--to', join(buyer, 'card.json'), '--bearer', '--wallet', seller);
      expect(r.code, r.err).toBe(0);
      expect((await Wallet.open(buyer)).decrypt(new Uint8Array(readFileSync(join(tmp, 'b.passport')))).ownerSecret).toBe(secret);
      expect(w.find(ref).bearerCopy).toBe(true);
    });
    it('never hands out the wallet\'s owner secret as a bearer passport', async () => {
      const before = snapshot(seller);
      const r = await canopy('lot', 'passport', a.commitment.toString().slice(0, 30), '--out', join(tmp, 'x.passport'), '--to', join(buyer, 'card.json'), '--bearer', '--wallet', seller);
      expect([r.code, r.err]).toEqual([1, expect.stringMatching(/must never leave the wallet; to hand it over, `canopy lot transfer/)]);
      expect(existsSync(join(tmp, 'x.passport'))).toBe(false);
      expect(snapshot(seller)).toEqual(before);
    });
    it('refuses spent and pending notes, and an existing --out file, writing nothing', async () => {
      const spent = w.notes().find((n) => n.status === 'spent')!;
      const pending = w.notes().find((n) => n.status === 'pending')!;
      for (const [n, why] of [[spent, /is spent: a passport of it would show a lot that no longer exists/], [pending, /is pending/]] as const) {
        const r = await canopy('lot', 'passport', n.commitment.toString().slice(0, 30), '--out', join(tmp, 'y.passport'), '--wallet', seller);
        expect([r.code, r.err]).toEqual([1, expect.stringMatching(why)]);
      }
      writeFileSync(join(tmp, 'taken.passport'), 'keep');
      const r = await canopy('lot', 'passport', a.commitment.toString().slice(0, 30), '--out', join(tmp, 'taken.passport'), '--wallet', seller);
      expect([r.code, r.err, readFileSync(join(tmp, 'taken.passport'), 'utf8')]).toEqual([1, expect.stringMatching(/exists; a passport is never written over a file/), 'keep']);
      expect(existsSync(join(tmp, 'y.passport'))).toBe(false);
    });
  });
});

describe('Wallet', () => {
  describe('add, update and dropPending', () => {
    it('never overwrites a note, moves only forward, and drops only pending notes', async () => {
      const w = await Wallet.open(buyer);
      const n = stored(w.ownerKey, 'w1', 'pending');
      w.add(n);
      expect(() => w.add(n)).toThrow(expect.objectContaining({ code: 'WALLET_CONFLICT' }));
      const placed = { ...n, status: 'unspent', leafIndex: 1, registry: { origin: 'o', sequence: 1 } } as StoredNote;
      w.update(placed);
      expect(() => w.update({ ...placed, leafIndex: 2 })).toThrow(/position changed/);
      expect(() => w.update({ ...placed, note: { ...placed.note, quantityGrams: 1n }, commitment: noteCommitment({ ...(placed.note as LotNote), quantityGrams: 1n }) } as StoredNote)).toThrow(/NOT_FOUND|no note/);
      expect(() => w.dropPending(n.commitment)).toThrow(/it is unspent, not pending/);
      w.update({ ...placed, status: 'spent', spentBy: 4 });
      expect(() => w.update(placed)).toThrow(/spent → unspent/);
      expect(readdirSync(join(buyer, 'notes')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });
  });
  describe('withLock', () => {
    it('refuses while a live process holds the wallet and takes over a dead one\'s lock', async () => {
      const w = await Wallet.open(buyer);
      writeFileSync(join(buyer, 'lock'), `${process.pid}\n`);
      await expect(w.withLock(async () => 1)).rejects.toThrow(/in use by process \d+/);
      writeFileSync(join(buyer, 'lock'), '999999999\n');
      expect(await w.withLock(async () => 2)).toBe(2);
      expect(existsSync(join(buyer, 'lock'))).toBe(false);
    });
  });
  describe('open', () => {
    it('refuses a card that is not of the wallet\'s keys', async () => {
      const dir = join(tmp, 'swapped.wallet');
      await createWallet(dir);
      writeFileSync(join(dir, 'card.json'), readFileSync(join(buyer, 'card.json')));
      await expect(Wallet.open(dir)).rejects.toThrow(/does not match the wallet's keys/);
    });
  });
});

describe('parseNoteFile', () => {
  const good = stored(ownerKey(3n), 'file', 'unspent');
  const text = formatNoteFile(good);
  it('reads back what formatNoteFile wrote', () => {
    expect(parseNoteFile(text, 'n')).toEqual(good);
  });
  describe.each([
    ['a changed quantity', (t: string) => t.replace('"18000000"', '"18000001"'), /commitment/],
    ['an unknown member', (t: string) => t.replace('"memo"', '"extra": 1,\n  "memo"'), /unknown extra/],
    ['a secret of another key', (t: string) => t.replace('"ownerSecret": null', '"ownerSecret": "4"'), /does not open note.ownerKey/],
    ['a leaf index on a pending note', (t: string) => t.replace('"status": "unspent"', '"status": "pending"'), /expected null while pending/],
    ['a non-canonical decimal', (t: string) => t.replace('"81000000"', '"081000000"'), /canonical decimal/],
    ['another format', (t: string) => t.replace('canopy-wallet-note/1', 'canopy-wallet-note/2'), /format/],
  ])('when the file has %s', (_name, edit, why) => {
    it('throws WALLET_CONFLICT naming it', () => {
      expect(() => parseNoteFile(edit(text), 'n')).toThrow(expect.objectContaining({ code: 'WALLET_CONFLICT', message: expect.stringMatching(why) }));
    });
  });
});

describe('parseRecipientCard', () => {
  const card = { ownerKey: 12345n, recipientPublicKey: new Uint8Array(32).fill(7) };
  const text = formatRecipientCard(card);
  it('reads back what formatRecipientCard wrote, with or without the newline', () => {
    expect(parseRecipientCard(text)).toEqual(card);
    expect(parseRecipientCard(text.trimEnd())).toEqual(card);
  });
  describe.each([
    ['whitespace', text.replace(',', ', ')],
    ['members out of order', JSON.stringify({ ownerKey: '12345', format: 'canopy-recipient-card/1', recipientPublicKey: Buffer.alloc(32, 7).toString('base64') })],
    ['an extra member', text.replace('{', '{"a":1,')],
    ['another format', text.replace('card/1', 'card/2')],
    ['an owner key of r', text.replace('"12345"', `"${R}"`)],
    ['a leading zero', text.replace('"12345"', '"012345"')],
    ['a 31-byte key', text.replace(Buffer.alloc(32, 7).toString('base64'), Buffer.alloc(31, 7).toString('base64'))],
    ['non-canonical base64', text.replace('BwcHBwc=', 'BwcHBwd=')],
    ['not JSON', '{'],
    ['over 1024 bytes', `${text.trimEnd()}${' '.repeat(1100)}`],
  ])('when the card has %s', (_name, bad) => {
    it('throws INVALID_INPUT', () => {
      expect(() => parseRecipientCard(bad, 'c')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringMatching(/^c is not a recipient card/) }));
    });
  });
});

describe('flag parsers', () => {
  it('parseGrams takes 1 ≤ g < 2^48 as plain digits', () => {
    expect([parseGrams('1'), parseGrams(String(2n ** 48n - 1n))]).toEqual([1n, 2n ** 48n - 1n]);
    for (const bad of ['0', String(2n ** 48n), '01', '1e3', '-1', '1.5', ' 1', '']) expect(() => parseGrams(bad), bad).toThrow(/expected grams/);
  });
  it('parseEmissions takes 0 ≤ e < 2^64', () => {
    expect([parseEmissions('0'), parseEmissions(String(2n ** 64n - 1n))]).toEqual([0n, 2n ** 64n - 1n]);
    expect(() => parseEmissions(String(2n ** 64n))).toThrow(/grams CO2e/);
  });
  it('parseCommodity takes HS digits with leading zeros, below 2^20', () => {
    expect([parseCommodity('090111'), parseCommodity('1000001')]).toEqual([90111n, 1_000_001n]);
    for (const bad of ['1048576', 'coffee', '9011.1', '12345678']) expect(() => parseCommodity(bad), bad).toThrow(/commodity code/);
  });
  it('parseHarvestYear takes four digits', () => {
    expect(parseHarvestYear('2026')).toBe(2026);
    for (const bad of ['26', '02026', '3000', 'y2k']) expect(() => parseHarvestYear(bad), bad).toThrow(/four-digit year/);
  });
  it('parseQuantities takes A or A,B', () => {
    expect([parseQuantities('5'), parseQuantities('6,4')]).toEqual([[5n], [6n, 4n]]);
    for (const bad of ['1,2,3', '1,', ',1', '1;2']) expect(() => parseQuantities(bad), bad).toThrow();
  });
  it('recipientFromFlags pairs --to with --out, and --bearer with --to', () => {
    const cardFile = join(buyer, 'card.json');
    expect(recipientFromFlags({})).toBeUndefined();
    expect(() => recipientFromFlags({}, true)).toThrow(/--to CARD is required/);
    expect(() => recipientFromFlags({ out: 'x' })).toThrow(/go with --to/);
    expect(() => recipientFromFlags({ bearer: true })).toThrow(/go with --to/);
    expect(() => recipientFromFlags({ to: cardFile })).toThrow(/needs --out FILE/);
    expect(() => recipientFromFlags({ to: join(tmp, 'none.json'), out: 'x' })).toThrow(/no recipient card/);
    expect(recipientFromFlags({ to: cardFile, out: 'x', bearer: true })).toMatchObject({ out: 'x', bearer: true, card: { ownerKey: expect.any(BigInt) } });
  });
  describe('lotCommonFromFlags', () => {
    const keyFile = join(tmpdir(), `canopy-lot-flags-${process.pid}.key`);
    beforeAll(() => writeFileSync(keyFile, `${generateNoteKey('coop-7').signerKey}\n`, { mode: 0o600 }));
    afterAll(() => rmSync(keyFile, { force: true }));
    it('maps every registry flag, reading the party key file', () => {
      const vkey = generateNoteKey('registry.test/canopy').verifierKey;
      expect(lotCommonFromFlags({ wallet: 'w', registry: 'http://r', key: keyFile, profile: 'test', keys: 'k', prover: '/bin/rapidsnark', registryKey: vkey })).toEqual({
        wallet: 'w',
        registry: 'http://r',
        signer: { keyId: 'coop-7', signerKey: expect.stringMatching(/^PRIVATE\+KEY\+coop-7\+/) },
        profile: 'test',
        keysDir: 'k',
        nativeProver: '/bin/rapidsnark',
        registryVkey: vkey,
      });
      expect(Object.keys(lotCommonFromFlags({ wallet: 'w', registry: 'http://r', key: keyFile, profile: 'demo' }))).toEqual(['wallet', 'registry', 'signer', 'profile']);
      expect(() => lotCommonFromFlags({ wallet: 'w', registry: 'http://r', key: join(tmp, 'none.key'), profile: 'demo' })).toThrow(/no key file/);
    });
    it('mintFromFlags wants exactly one emissions source, and capacity flags only with --deforestation-free', () => {
      const base = { wallet: 'w', registry: 'http://r', key: keyFile, profile: 'test', commodity: 90111n, quantityGrams: 10n };
      expect(mintFromFlags({ ...base, emissionsGramsCo2e: 45n })).toMatchObject({ commodity: 90111n, quantityGrams: 10n, emissions: { gramsCo2e: 45n } });
      expect(() => mintFromFlags(base)).toThrow(/exactly one of --footprint/);
      expect(() => mintFromFlags({ ...base, emissionsGramsCo2e: 1n, footprint: 'f.json' })).toThrow(/exactly one of --footprint/);
      expect(() => mintFromFlags({ ...base, emissionsGramsCo2e: 1n, capacity: '12' })).toThrow(/go with --deforestation-free/);
      expect(mintFromFlags({ ...base, emissionsGramsCo2e: 1n, deforestationFree: true, capacity: '12', harvestYear: 2026 })).toMatchObject({ deforestationFree: true, capacity: '12', harvestYear: 2026 });
      writeFileSync(join(tmp, 'fp.json'), '{"specVersion":');
      expect(() => mintFromFlags({ ...base, footprint: join(tmp, 'fp.json') })).toThrow(expect.objectContaining({ code: 'FOOTPRINT_MALFORMED' }));
      const fp = mintFromFlags({ ...base, footprint: 'examples/footprints/green-coffee-pact-v3.json' });
      expect(fp.emissions).toMatchObject({ footprint: { specVersion: expect.any(String) } });
    });
    it('capacityFromFlags maps the opening, commodity, year, secret and plot proof', () => {
      expect(capacityFromFlags('o.json', { wallet: 'w', registry: 'http://r', key: keyFile, profile: 'test', commodity: 1_000_001n, harvestYear: 2026, ownerSecretFile: 's', plotProof: 'p.json' })).toMatchObject({
        openingFile: 'o.json',
        commodity: 1_000_001n,
        harvestYear: 2026,
        ownerSecretFile: 's',
        plotProofFile: 'p.json',
      });
    });
  });
  it('noteSummary calls a note of another owner without its secret "sent"', () => {
    expect(noteSummary(stored(ownerKey(5n), 's', 'unspent'), ownerKey(6n)).status).toBe('sent');
    expect(noteSummary(stored(ownerKey(5n), 's', 'unspent'), ownerKey(5n)).status).toBe('unspent');
  });
});

describe('canopy lot usage', () => {
  it('exits 2 for a missing required flag or a malformed value, before touching anything', async () => {
    expect((await canopy('lot', 'mint', '--wallet', seller, '--registry', 'http://127.0.0.1:9', '--key', 'k')).code).toBe(2);
    expect((await canopy('lot', 'split', '12', '--quantities-grams', '1,2,3', '--wallet', seller, '--registry', 'http://127.0.0.1:9', '--key', 'k')).code).toBe(2);
    expect((await canopy('lot', 'process', '12', '--rule', 'coffee-hulling', '--output-grams', '0', '--added-emissions-grams-co2e', '1', '--registry', 'http://127.0.0.1:9', '--key', 'k')).code).toBe(2);
  });
  it('lists every subcommand with an example in its help', async () => {
    const r = await canopy('lot', '--help');
    for (const c of ['keygen', 'capacity', 'mint', 'transfer', 'merge', 'split', 'process', 'receive', 'list', 'show', 'passport']) expect(r.out).toContain(c);
    for (const c of ['keygen', 'capacity', 'mint', 'transfer', 'merge', 'split', 'process', 'receive', 'passport']) expect((await canopy('lot', c, '--help')).out, c).toMatch(/Example/);
  });
});
