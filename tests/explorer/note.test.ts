// The explorer's browser modules for signed notes, checkpoints and signed requests
// (registry/explorer/static/note.js, checkpoint.js, auditor-key.js), run in Node on its
// WebCrypto: against golang/mod's note vectors, the C2SP examples and a real production
// checkpoint with a witness cosignature, against core/note on notes it signs, and against
// registry/api/request-signature.ts on the requests they sign.
import { describe, expect, it } from 'vitest';
import { type Checkpoint as CoreCheckpoint, formatCheckpoint, parseCheckpoint as coreParseCheckpoint } from '../../core/note/checkpoint.ts';
import { cosignatureSigner, cosignerVerifierKey } from '../../core/note/cosignature.ts';
import { ed25519VerifierKey, generateNoteKey, noteSigner } from '../../core/note/note-key.ts';
import { signNote } from '../../core/note/signed-note.ts';
import { bodyDigest, parseSignatureHeaders, signerPublicKey, verifyRequestSignature } from '../../registry/api/request-signature.ts';
import { c2sp, goNote, tlogScales } from '../note/_vectors.ts';

interface VerifierKey {
  text: string;
  name: string;
  keyHash: number;
  type: number;
  publicKey: Uint8Array;
}
interface SignatureReport {
  name: string;
  keyHash: string;
  signer: 'registry' | 'witness' | 'unknown';
  status: 'valid' | 'invalid' | 'unchecked';
  timestamp: number | null;
  witness: string | null;
}
interface CheckpointReport {
  checkpoint: { origin: string; size: number; rootHash: Uint8Array; rootHashBase64: string; lotsRoot: string | null; plotsRoot: string | null; extensions: string[] };
  registry: 'valid' | 'invalid' | 'missing';
  originMatches: boolean;
  signatures: SignatureReport[];
  trusted: boolean;
}
interface NoteModule {
  NoteError: new (m: string) => Error;
  parseNote(note: string): { text: string; signatures: { name: string; keyHash: number; payload: Uint8Array }[] };
  parseVerifierKey(text: string, type?: number): Promise<VerifierKey>;
  parseSignerKey(text: string): Promise<{ name: string; keyHash: number; seed: Uint8Array; publicKey: Uint8Array }>;
  cosignerKey(name: string, publicKey: Uint8Array): Promise<VerifierKey>;
  verifyNoteSignature(text: string, sig: { name: string; keyHash: number; payload: Uint8Array }, key: VerifierKey): Promise<boolean>;
}
interface CheckpointModule {
  parseCheckpoint(text: string): CheckpointReport['checkpoint'];
  openCheckpoint(note: string, registryKey: VerifierKey, witnesses: { partyId: string; key: VerifierKey }[]): Promise<CheckpointReport>;
}
interface AuditorKeyModule {
  readAuditorKey(keyText: string, partyId: string): Promise<{ partyId: string; keyName: string; publicKey: string; signingKey: CryptoKey }>;
  signIn(s: unknown): void;
  signOut(): void;
  signedHeaders(method: 'GET', target: string): Promise<Record<string, string>>;
}

const load = async <T>(name: string) => (await import(new URL(`../../registry/explorer/static/${name}`, import.meta.url).href)) as T;
const note = await load<NoteModule>('note.js');
const cp = await load<CheckpointModule>('checkpoint.js');
const auditorKey = await load<AuditorKeyModule>('auditor-key.js');

const REGISTRY = generateNoteKey('registry.example/canopy', new Uint8Array(32).fill(3));
const WITNESS = generateNoteKey('auditor-1', new Uint8Array(32).fill(4));
const ROOT = new Uint8Array(32).map((_, i) => i * 7);

function checkpointText(over: Partial<CoreCheckpoint> = {}): string {
  return formatCheckpoint({ origin: 'registry.example/canopy', size: 42, rootHash: ROOT, canopyRoots: { lots: 12345n, plots: 678n }, extensions: [], ...over });
}

async function keys() {
  const registry = await note.parseVerifierKey(REGISTRY.verifierKey);
  const witness = await note.parseVerifierKey(cosignerVerifierKey(WITNESS.verifierKey), 0x04);
  return { registry, witnesses: [{ partyId: 'auditor-1', key: witness }] };
}

describe('parseVerifierKey', () => {
  describe('when given the golang/mod note_test.go keys', () => {
    it('reads PeterNeumann+c74f20a3 and EnochRoot, and checks their hashes', async () => {
      const peter = await note.parseVerifierKey(goNote.peterKey);
      expect([peter.name, peter.keyHash.toString(16), peter.publicKey.length]).toEqual(['PeterNeumann', 'c74f20a3', 32]);
      expect((await note.parseVerifierKey(goNote.enochKey)).name).toBe('EnochRoot');
      expect((await note.parseVerifierKey(tlogScales.plusInBase64Vkey)).name).toBe('foo');
    });
    it('refuses the bad keys of TestNewVerifier, a wrong hash, another type, junk', async () => {
      for (const bad of [...goNote.badKeys, goNote.peterKey.replace('c74f20a3', 'c74f20a4'), goNote.peterKey.replace('+c74f20a3+', '+C74F20A3+'), 'no-plus', 'a+b+c', '']) {
        await expect(note.parseVerifierKey(bad), bad).rejects.toBeInstanceOf(note.NoteError);
      }
      await expect(note.parseVerifierKey(goNote.peterKey, 0x04)).rejects.toThrow(/type 0x01, want 0x04/);
    });
  });
  describe('when deriving a cosigner key', () => {
    it('equals core/note cosignerVerifierKey', async () => {
      const pub = signerPublicKey(WITNESS.signerKey);
      expect((await note.cosignerKey('auditor-1', pub)).text).toBe(cosignerVerifierKey(ed25519VerifierKey('auditor-1', pub)));
    });
  });
});

describe('parseNote / verifyNoteSignature', () => {
  describe('when given TestSign of golang/mod note_test.go', () => {
    it('verifies PeterNeumann’s signature over the text', async () => {
      const n = note.parseNote(goNote.signed);
      expect(n.text).toBe(goNote.text);
      expect(n.signatures.map((s) => s.name)).toEqual(['PeterNeumann']);
      expect(await note.verifyNoteSignature(n.text, n.signatures[0]!, await note.parseVerifierKey(goNote.peterKey))).toBe(true);
    });
    it('never accepts the note with any one character changed', async () => {
      const peter = await note.parseVerifierKey(goNote.peterKey);
      const s = goNote.signed;
      let checked = 0;
      for (let i = 0; i < s.length; i++) {
        const c = s[i] === 'A' ? 'B' : 'A';
        const altered = s.slice(0, i) + c + s.slice(i + 1);
        let ok = false;
        try {
          const n = note.parseNote(altered);
          const sig = n.signatures.find((x) => x.name === peter.name && x.keyHash === peter.keyHash);
          ok = sig !== undefined && (await note.verifyNoteSignature(n.text, sig, peter));
        } catch (e) {
          expect(e).toBeInstanceOf(note.NoteError);
        }
        expect([i, ok]).toEqual([i, false]);
        checked++;
      }
      expect(checked).toBe(s.length);
    });
  });
  describe('when given the C2SP signed-note example of tlog-scales', () => {
    it('verifies it with the published key', async () => {
      const ex = tlogScales.signedNoteExample;
      const n = note.parseNote(`${ex.text}\n${ex.signatureLine}\n`);
      expect(await note.verifyNoteSignature(n.text, n.signatures[0]!, await note.parseVerifierKey(ex.vkey))).toBe(true);
    });
  });
  describe('when the note is malformed', () => {
    it('throws NoteError for each rule core/note enforces', () => {
      const line = goNote.signed.slice(goNote.signed.lastIndexOf('\n\n') + 2);
      for (const bad of [
        'no separator\n— PeterNeumann AAAA\n',
        `${goNote.text}\n`,
        `${goNote.text}\n${line.slice(0, -1)}`,
        `${goNote.text}\n${line}${line}`,
        `${goNote.text}\n${line.replace('— ', '-- ')}`,
        `${goNote.text}\n${line.replace('PeterNeumann', 'Peter+Neumann')}`,
        `${goNote.text}\n— PeterNeumann AAA=\n`,
        `bell\u0007\n\n${line}`,
        `${goNote.text}\n${Array.from({ length: 101 }, (_, i) => `— k${i} AAAAAAA=\n`).join('')}`,
      ]) {
        expect(() => note.parseNote(bad), JSON.stringify(bad.slice(0, 60))).toThrow(note.NoteError);
      }
    });
  });
});

describe('parseCheckpoint', () => {
  describe('when given texts core/note accepts or refuses', () => {
    it('accepts and refuses exactly the same ones', () => {
      const good = checkpointText();
      const cases = [
        good,
        checkpointText({ canopyRoots: null }),
        checkpointText({ extensions: ['ext one', 'ext two'] }),
        checkpointText({ size: 0 }),
        checkpointText({ size: 2 ** 51 }),
        good.replace('\n42\n', '\n042\n'),
        good.replace('\n42\n', '\n+42\n'),
        good.replace('\n42\n', `\n${2 ** 51 + 1}\n`),
        good.replace('\n42\n', '\n4e1\n'),
        good.replace(/canopy-plots-root [0-9]+\n/, ''),
        good.replace('canopy-lots-root 12345', 'canopy-lots-root 012345'),
        good.replace('canopy-lots-root 12345', 'canopy-lots-root 21888242871839275222246405745257275088548364400416034343698204186575808495617'),
        good.replace('canopy-lots-root 12345', 'canopy-lots-root 21888242871839275222246405745257275088548364400416034343698204186575808495616'),
        `${good}canopy-other x\n`,
        `${good}\n`,
        good.slice(0, -1),
        good.replace(/\n[A-Za-z0-9+/]{43}=\n/, '\nAAAA\n'),
        `${checkpointText({ extensions: Array.from({ length: 64 }, (_, i) => `e${i}`) })}`,
        `${checkpointText({ extensions: Array.from({ length: 64 }, (_, i) => `e${i}`) })}e64\n`,
        'only\ntwo\n',
        c2sp.checkpointNote.slice(0, c2sp.checkpointNote.indexOf('\n\n') + 1),
      ];
      for (const text of cases) {
        let core = true;
        try {
          coreParseCheckpoint(text);
        } catch {
          core = false;
        }
        let ours = true;
        try {
          cp.parseCheckpoint(text);
        } catch {
          ours = false;
        }
        expect([JSON.stringify(text.slice(-70)), ours]).toEqual([JSON.stringify(text.slice(-70)), core]);
      }
    });
    it('reads the values core/note reads', () => {
      const c = cp.parseCheckpoint(checkpointText({ extensions: ['x y'] }));
      expect([c.origin, c.size, Buffer.from(c.rootHash).toString('hex'), c.lotsRoot, c.plotsRoot, c.extensions]).toEqual(['registry.example/canopy', 42, Buffer.from(ROOT).toString('hex'), '12345', '678', ['x y']]);
    });
  });
});

describe('openCheckpoint', () => {
  describe('when given a real transparency.dev checkpoint with a production cosignature', () => {
    it('verifies the log signature and the remora.n621.de cosignature, and leaves the others unchecked', async () => {
      const rc = tlogScales.realCheckpoint;
      const r = await cp.openCheckpoint(rc.note, await note.parseVerifierKey(rc.logVkey), [{ partyId: 'remora', key: await note.parseVerifierKey(rc.witnessVkey, 0x04) }]);
      expect([r.registry, r.originMatches, r.trusted, r.checkpoint.size]).toEqual(['valid', true, true, 1432088532]);
      const remora = r.signatures.find((s) => s.name === 'remora.n621.de')!;
      expect([remora.signer, remora.status, remora.witness, remora.timestamp]).toEqual(['witness', 'valid', 'remora', expect.any(Number)]);
      expect(r.signatures.filter((s) => s.status === 'unchecked').length).toBe(r.signatures.length - 2);
    });
  });

  describe('when given a checkpoint core/note signed with the registry key and a witness cosignature', () => {
    it('reports both valid, the cosignature’s time, and trusts it', async () => {
      const { registry, witnesses } = await keys();
      const signed = signNote(checkpointText(), [noteSigner(REGISTRY.signerKey), cosignatureSigner(WITNESS.signerKey, () => 1767225600)]);
      const r = await cp.openCheckpoint(signed, registry, witnesses);
      expect([r.registry, r.originMatches, r.trusted]).toEqual(['valid', true, true]);
      expect(r.signatures.map((s) => [s.signer, s.status, s.timestamp])).toEqual([
        ['registry', 'valid', null],
        ['witness', 'valid', 1767225600],
      ]);
      expect([r.checkpoint.lotsRoot, r.checkpoint.plotsRoot]).toEqual(['12345', '678']);
    });
    it('reports the cosignature unchecked when the witness is not announced, and still trusts the registry signature', async () => {
      const { registry } = await keys();
      const signed = signNote(checkpointText(), [noteSigner(REGISTRY.signerKey), cosignatureSigner(WITNESS.signerKey, () => 1767225600)]);
      const r = await cp.openCheckpoint(signed, registry, []);
      expect([r.trusted, r.signatures[1]!.status, r.signatures[1]!.timestamp]).toEqual([true, 'unchecked', 1767225600]);
    });
  });

  describe('when the note was altered or signed by another key', () => {
    it('does not trust it, and says why', async () => {
      const { registry, witnesses } = await keys();
      const text = checkpointText();
      const signed = signNote(text, [noteSigner(REGISTRY.signerKey), cosignatureSigner(WITNESS.signerKey, () => 1767225600)]);
      // The size changed after signing: both signatures fail.
      const altered = await cp.openCheckpoint(signed.replace('\n42\n', '\n43\n'), registry, witnesses);
      expect([altered.registry, altered.trusted, altered.signatures.map((s) => s.status)]).toEqual(['invalid', false, ['invalid', 'invalid']]);
      // Another key with the registry's name.
      const impostor = generateNoteKey('registry.example/canopy', new Uint8Array(32).fill(5));
      const other = await cp.openCheckpoint(signNote(text, [noteSigner(impostor.signerKey)]), registry, witnesses);
      expect([other.registry, other.trusted, other.signatures[0]!.signer]).toEqual(['missing', false, 'unknown']);
      // The registry key over another origin.
      const elsewhere = await cp.openCheckpoint(signNote(checkpointText({ origin: 'elsewhere.example/log' }), [noteSigner(REGISTRY.signerKey)]), registry, witnesses);
      expect([elsewhere.registry, elsewhere.originMatches, elsewhere.trusted]).toEqual(['valid', false, false]);
      // A cosignature line whose signature bytes were changed.
      const lines = signed.split('\n');
      const w = lines.findIndex((l) => l.startsWith('— auditor-1 '));
      const b = Buffer.from(lines[w]!.slice('— auditor-1 '.length), 'base64');
      b[b.length - 1]! ^= 1;
      lines[w] = `— auditor-1 ${b.toString('base64')}`;
      const badCosig = await cp.openCheckpoint(lines.join('\n'), registry, witnesses);
      expect([badCosig.registry, badCosig.trusted, badCosig.signatures[1]!.status]).toEqual(['valid', false, 'invalid']);
    });
  });
});

describe('parseSignerKey / signedHeaders', () => {
  describe('when given a key generateNoteKey wrote', () => {
    it('derives the public key the registry registers, and signs requests the authenticator accepts', async () => {
      const auditor = generateNoteKey('auditor-1', new Uint8Array(32).fill(11));
      const parsed = await note.parseSignerKey(auditor.signerKey);
      expect(Buffer.from(parsed.publicKey).toString('hex')).toBe(Buffer.from(signerPublicKey(auditor.signerKey)).toString('hex'));
      const s = await auditorKey.readAuditorKey(`${auditor.signerKey}\n`, '');
      expect([s.partyId, s.keyName, s.signingKey.extractable]).toEqual(['auditor-1', 'auditor-1', false]);
      auditorKey.signIn(s);
      try {
        const target = '/v1/audit/submissions?start=3&end=4';
        const headers = await auditorKey.signedHeaders('GET', target);
        const parsedHeaders = parseSignatureHeaders(headers);
        const fields = { method: 'GET', target, bodySha256: bodyDigest(null), timestamp: parsedHeaders.timestamp, nonce: parsedHeaders.nonce, keyId: parsedHeaders.keyId };
        expect(verifyRequestSignature(signerPublicKey(auditor.signerKey), fields, parsedHeaders.signature)).toBe(true);
        expect(verifyRequestSignature(signerPublicKey(auditor.signerKey), { ...fields, target: '/v1/audit/submissions?start=0&end=4' }, parsedHeaders.signature)).toBe(false);
        expect(Math.abs(parsedHeaders.timestamp - Date.now() / 1000)).toBeLessThan(5);
        expect((await auditorKey.signedHeaders('GET', target))['canopy-nonce']).not.toBe(parsedHeaders.nonce);
      } finally {
        auditorKey.signOut();
      }
      await expect(auditorKey.signedHeaders('GET', '/v1/audit/submissions?start=0')).rejects.toThrow(/sign in/);
    });
  });
  describe('when the key’s base64 holds "+"', () => {
    it('splits at the first four "+" only', async () => {
      let seed = 0;
      let k = generateNoteKey('auditor-2', new Uint8Array(32).fill(seed));
      while (!k.signerKey.split('+').slice(4).join('+').includes('+')) k = generateNoteKey('auditor-2', new Uint8Array(32).fill(++seed));
      const parsed = await note.parseSignerKey(k.signerKey);
      expect([parsed.name, Buffer.from(parsed.publicKey).toString('hex')]).toEqual(['auditor-2', Buffer.from(signerPublicKey(k.signerKey)).toString('hex')]);
    });
  });
  describe('when the key is malformed', () => {
    it('throws NoteError without quoting the key', async () => {
      const { signerKey } = generateNoteKey('auditor-1', new Uint8Array(32).fill(11));
      const parts = signerKey.split('+');
      const wrongHash = [...parts.slice(0, 3), '00000000', parts[4]].join('+');
      for (const bad of [wrongHash, signerKey.replace('PRIVATE+KEY', 'PUBLIC+KEY'), goNote.peterKey, `${signerKey}+x`, 'junk']) {
        const err = await note.parseSignerKey(bad).then(
          () => null,
          (e: unknown) => e as Error,
        );
        expect(err).toBeInstanceOf(note.NoteError);
        expect(err!.message).not.toContain(parts[4]!);
      }
    });
  });
});
