// Witnesses over HTTP: GET /v1/witnesses lists the active auditors' cosigner keys, and
// POST /v1/checkpoints/cosignatures merges an auditor's C2SP cosignatures into a stored
// checkpoint, which GET /checkpoint and GET /v1/checkpoints then serve. A verifier that
// demands cosignatures opens the served note with the registry key and the listed keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosignatureSigner, cosignatureVerifier } from '../../core/note/cosignature.ts';
import { noteSigner, noteVerifier } from '../../core/note/note-key.ts';
import { openNote, signNote } from '../../core/note/signed-note.ts';
import { ApiError } from '../../registry/api/api-error.ts';
import { ACCREDITOR, newParty, signedRaw, startTestRegistry, type TestParty, type TestRegistry } from './_registry.ts';
import { fe, lotMint, REGISTRY_KEY, storeKinds } from '../registry/_fixtures.ts';

async function expectError(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError, the call succeeded');
}

const registryVerifier = noteVerifier(REGISTRY_KEY.verifierKey);

/** The served note with `party`'s cosignature added (timestamp from `now`, seconds). */
function cosigned(note: string, party: TestParty, now?: () => number): string {
  return signNote(openNote(note, [registryVerifier]), [cosignatureSigner(party.signerKey, now)]);
}

for (const { kind, fixture } of storeKinds()) {
  describe(`registry witness routes (${kind})`, () => {
    let reg: TestRegistry;
    let supplier: TestParty;
    let auditor: TestParty;
    let auditor2: TestParty;
    let retired: TestParty;

    beforeAll(async () => {
      reg = await startTestRegistry(fixture());
      supplier = await reg.register('coop-1', 'supplier');
      auditor = await reg.register('audit-1', 'auditor');
      retired = await reg.register('audit-0', 'auditor');
      auditor2 = await reg.register('audit-2', 'auditor');
      await reg.client.revokeParty('audit-0', 'term ended', ACCREDITOR);
      await reg.client.submit([lotMint(fe('m'))], supplier);
      await reg.service.signCheckpoint();
    });
    afterAll(async () => {
      await reg.close();
    });

    describe('GET /v1/witnesses', () => {
      describe('when auditors are registered, one revoked', () => {
        it('lists the active ones, each with the cosigner key its registered key gives', async () => {
          const witnesses = await reg.client.witnesses();
          expect(witnesses.map((w) => w.partyId)).toEqual(['audit-1', 'audit-2']);
          // The listed key verifies what the auditor's signer key cosigns.
          const note = cosigned(await reg.client.checkpointNote(), auditor);
          const opened = openNote(note, [registryVerifier, cosignatureVerifier(witnesses[0]!.cosignerKey)]);
          expect(opened.sigs.map((s) => s.name)).toEqual(['registry.test/canopy', 'audit-1']);
          // Another auditor's key does not: that line stays unverified.
          const other = openNote(note, [registryVerifier, cosignatureVerifier(witnesses[1]!.cosignerKey)]);
          expect([other.sigs.map((s) => s.name), other.unverifiedSigs.map((s) => s.name)]).toEqual([['registry.test/canopy'], ['audit-1']]);
        });
      });
    });

    describe('POST /v1/checkpoints/cosignatures', () => {
      describe('when an auditor cosigns the latest checkpoint', () => {
        it('merges the cosignature; /checkpoint and /v1/checkpoints serve it from then on', async () => {
          const served = await reg.client.checkpointNote();
          const answer = await reg.client.cosign(cosigned(served, auditor), auditor);
          const keys = (await reg.client.witnesses()).map((w) => cosignatureVerifier(w.cosignerKey));
          expect(openNote(answer.note, [registryVerifier, ...keys]).sigs.map((s) => s.name)).toEqual(['registry.test/canopy', 'audit-1']);
          expect(await reg.client.checkpointNote()).toBe(answer.note);
          const [listed] = await reg.client.checkpoints({ from: answer.size, limit: 1 });
          expect(listed!.note).toBe(answer.note);
          // A second witness adds its own; the first stays.
          const both = await reg.client.cosign(cosigned(answer.note, auditor2), auditor2);
          expect(openNote(both.note, [registryVerifier, ...keys]).sigs.map((s) => s.name)).toEqual(['registry.test/canopy', 'audit-1', 'audit-2']);
          // Posting again changes nothing.
          expect((await reg.client.cosign(cosigned(served, auditor), auditor)).note).toBe(both.note);
        });
      });

      describe('when the request or the note is not acceptable', () => {
        it('refuses with the code of the check that failed, the stored note unchanged', async () => {
          const before = await reg.client.checkpointNote();
          const plain = (await reg.client.checkpoints({ from: 0, limit: 1 }))[0]!.note;
          const stranger = newParty('audit-9', 'auditor');
          const fakeText = 'registry.test/canopy\n99\n' + Buffer.alloc(32, 7).toString('base64') + '\ncanopy-lots-root 1\ncanopy-plots-root 2\n';
          const unstored = signNote(openNote(signNote(fakeText, [noteSigner(REGISTRY_KEY.signerKey)]), [registryVerifier]), [cosignatureSigner(auditor.signerKey)]);
          const notACheckpoint = signNote(openNote(signNote('hello\n', [noteSigner(REGISTRY_KEY.signerKey)]), [registryVerifier]), [cosignatureSigner(auditor.signerKey)]);
          const good = cosigned(plain, auditor);
          const lines = good.split('\n');
          const sig = lines[lines.length - 2]!;
          // Base64 character 40 encodes bytes 30–32: inside the Ed25519 signature (after the
          // 4-byte key hash and the 8-byte timestamp), clear of the padding bits.
          const at = sig.lastIndexOf(' ') + 1 + 40;
          const flipped = sig.slice(0, at) + (sig[at] === 'A' ? 'B' : 'A') + sig.slice(at + 1);
          const tampered = [...lines.slice(0, -2), flipped, ''].join('\n');
          const withoutRegistry = signNote(openNote(plain, [registryVerifier]).text, [cosignatureSigner(auditor.signerKey)]);
          const cases: [string, () => Promise<unknown>, number, string][] = [
            ['a supplier', () => reg.client.cosign(cosigned(plain, supplier), supplier), 403, 'ROLE_FORBIDDEN'],
            ['a revoked auditor', () => reg.client.cosign(cosigned(plain, retired), retired), 403, 'KEY_REVOKED'],
            ['no cosignature by the auditor', () => reg.client.cosign(plain, auditor), 422, 'COSIGNATURE_INVALID'],
            ['only a stranger’s cosignature', () => reg.client.cosign(cosigned(plain, stranger), auditor), 422, 'COSIGNATURE_INVALID'],
            ['a cosignature that fails', () => reg.client.cosign(tampered, auditor), 422, 'COSIGNATURE_INVALID'],
            ['no registry signature', () => reg.client.cosign(withoutRegistry, auditor), 422, 'COSIGNATURE_INVALID'],
            ['a cosignature dated 10 minutes ahead', () => reg.client.cosign(cosigned(plain, auditor, () => Math.floor(Date.now() / 1000) + 600), auditor), 422, 'COSIGNATURE_INVALID'],
            ['a checkpoint the registry never stored', () => reg.client.cosign(unstored, auditor), 404, 'NOT_FOUND'],
            ['a note that is no checkpoint', () => reg.client.cosign(notACheckpoint, auditor), 400, 'NOTE_MALFORMED'],
            ['text that is no note', () => reg.client.cosign('hello', auditor), 400, 'NOTE_MALFORMED'],
          ];
          for (const [what, call, status, code] of cases) {
            const e = await expectError(call());
            expect([what, e.status, e.code]).toEqual([what, status, code]);
          }
          expect(tampered).not.toBe(good);
          const body = await signedRaw(reg.url, 'POST', '/v1/checkpoints/cosignatures', auditor, { body: JSON.stringify({ note: 5 }) });
          expect([body.status, body.json.error?.code]).toEqual([400, 'INVALID_BODY']);
          const extra = await signedRaw(reg.url, 'POST', '/v1/checkpoints/cosignatures', auditor, { body: JSON.stringify({ note: good, more: 1 }) });
          expect([extra.status, extra.json.error?.code]).toEqual([400, 'INVALID_BODY']);
          expect(await reg.client.checkpointNote()).toBe(before);
        });
      });
    });
  });
}
