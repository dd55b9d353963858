/**
 * Step 1 of the demo: the accreditor registers every party of the scenario with the
 * registry (`POST /v1/admin/parties`, signed with the accreditor's key), and each party
 * that holds lots gets a wallet. What each party receives:
 *
 *     publisher                          role publisher   key file
 *     farms, cooperative, exporter,      role supplier    key file, wallet (owner secret,
 *     importer                                            X25519 key, recipient card)
 *     auditor                            role auditor     key file (it cosigns checkpoints)
 *
 * A key file is what `canopy registry keygen` writes (mode 0600, the `.vkey` beside it);
 * a wallet is what `canopy lot keygen` makes. Every farm is registered, including one
 * whose plot will turn out not to be deforestation-free: accreditation is about who may
 * submit, and the registry accepts no attestation that is not proven.
 * @module
 */
import { join } from 'node:path';
import type { RequestSigner } from '../../registry/client.ts';
import { writeNewKeyFile } from '../../registry/api/key-files.ts';
import type { PartyRole } from '../../registry/log/entry.ts';
import { readPlotFile } from '../plot/check-file.ts';
import { createWallet } from '../lots/wallet.ts';
import type { DemoContext, DemoParty } from './_demo-context.ts';

/** A party to register: its id, role and name. */
interface Enrolment {
  id: string;
  role: PartyRole;
  name: string;
  wallet: boolean;
}

/**
 * Registers the scenario's parties and makes their key files and wallets; stores them in
 * `ctx.parties`.
 * @param accreditor - the accreditor's signer (its key name is its id)
 * @throws {ApiError} when the registry refuses a registration; {CanopyError} INVALID_INPUT
 *   or WALLET_CONFLICT when a key file or wallet already exists (the work folder was
 *   emptied, so only a bug or a concurrent run gets there)
 * @example const parties = await registerParties(ctx, accreditor)
 */
export async function registerParties(ctx: DemoContext, accreditor: RequestSigner): Promise<DemoParty[]> {
  const s = ctx.scenario;
  const farmNames = await Promise.all(s.farms.map(async (f) => (await readPlotFile(f.plot)).plots[0]?.name ?? f.id));
  const enrolments: Enrolment[] = [
    { id: s.publisher.id, role: 'publisher', name: s.publisher.name, wallet: false },
    ...s.farms.map((f, i) => ({ id: f.id, role: 'supplier' as const, name: farmNames[i]!, wallet: true })),
    { id: s.cooperative.id, role: 'supplier', name: s.cooperative.name, wallet: true },
    { id: s.exporter.id, role: 'supplier', name: s.exporter.name, wallet: true },
    { id: s.importer.id, role: 'supplier', name: s.importer.name, wallet: true },
    { id: s.auditor.id, role: 'auditor', name: s.auditor.name, wallet: false },
  ];
  const registered: DemoParty[] = [];
  for (const e of enrolments) {
    const keyFile = join(ctx.paths.keys, `${e.id}.key`);
    const pair = writeNewKeyFile(keyFile, e.id);
    const receipt = await ctx.registry.client.addParty({ partyId: e.id, role: e.role, publicKey: pair.publicKey }, accreditor);
    let wallet: string | null = null;
    let card: DemoParty['card'] = null;
    if (e.wallet) {
      wallet = join(ctx.paths.wallets, e.id);
      card = (await createWallet(wallet)).card;
    }
    const party: DemoParty = { id: e.id, role: e.role, name: e.name, keyFile, signer: { keyId: e.id, signerKey: pair.signerKey }, publicKey: pair.publicKey, wallet, card };
    ctx.parties.set(e.id, party);
    registered.push(party);
    ctx.narrator.say(`   ${e.id.padEnd(24)} ${e.role.padEnd(9)} entry ${String(receipt.sequence).padStart(2)}  ${e.name}${wallet ? ' (wallet)' : ''}`);
  }
  return registered;
}
