/**
 * The supplier side of lots as a library: the entry points `canopy lot` calls, and that
 * tests and the demo call directly. Each proves with the profile's keys, submits to the
 * registry, records the result in the wallet folder, and returns
 * `{ entry, receipt, entries, receipts, notes, passports, seconds }` (lot-step.ts
 * `LotStepResult`). docs/lots-cli.md describes the commands and the files.
 *
 *     issueCapacity    capacity notes from an attested plot           (issue-capacity.ts)
 *     mintLot          a lot, with no claim or deforestation-free     (mint-lot.ts)
 *     transferLot      a note whole to a recipient card               (transitions.ts)
 *     mergeLots        notes of one commodity into one
 *     splitLot         a note into two
 *     processLots      notes into another commodity under a public rule
 *     receivePassport  a passport into the wallet; a bearer note is taken over (receive-passport.ts)
 *
 * and, with no registry step: `createWallet`, `Wallet` (wallet.ts), `exportPassport`
 * (export-passport.ts), recipient cards (recipient-card.ts).
 *
 * This file only names the entry points, one per operation; every module behind it has
 * one purpose and can be imported on its own.
 * @module
 */
export { issueCapacity, type IssueCapacityOptions } from './issue-capacity.ts';
export { mintLot, type MintLotOptions, type MintLotResult } from './mint-lot.ts';
export { mergeLots, processLots, splitLot, transferLot, type MergeLotsOptions, type ProcessLotsOptions, type Recipient, type SplitLotOptions, type TransferLotOptions } from './transitions.ts';
export { receivePassport, type ReceivePassportOptions, type ReceivePassportResult } from './receive-passport.ts';
export { exportPassport, type ExportPassportOptions } from './export-passport.ts';
export { createWallet, DEFAULT_WALLET_DIR, Wallet } from './wallet.ts';
export { formatRecipientCard, parseRecipientCard, type RecipientCard } from './recipient-card.ts';
export type { LotCommonOptions, LotStepResult, WrittenPassport } from './lot-step.ts';
export type { StoredNote, StoredLotNote, StoredCapacityNote } from './note-file.ts';
