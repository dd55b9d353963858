/**
 * What every step of the demo shares: the scenario, the work folder's layout, the keys,
 * the running registry, the parties with their keys and wallets, the narrator, and a
 * count of the Groth16 proofs made (so the audit's count can be compared with it).
 *
 *     <work>/                    (default .canopy/demo; emptied at the start)
 *       .canopy-demo             marker: the folder is the demo's and may be emptied
 *       registry/                registry.db (SQLite), registry.key (0600), registry.vkey
 *       keys/<party>.key|.vkey   request keys of the accreditor and of every party
 *       wallets/<party>/         wallets of the farms, cooperative, exporter and importer
 *       dataset/                 the committed Hansen crop (canopy dataset commit)
 *       plots/                   maps (<farm>.png), proofs and openings of the plots
 *       passports/               the passports handed from party to party (encrypted)
 *       importer/                policy, container passport, claim, PACT footprint, DDS fields
 *       auditor/                 audit report, audit state, the plot disclosure and its check
 * @module
 */
import { join } from 'node:path';
import type { RecipientCard } from '../lots/recipient-card.ts';
import type { LotCommonOptions } from '../lots/lot-step.ts';
import type { RegistryClient, RequestSigner } from '../../registry/client.ts';
import type { PartyRole } from '../../registry/log/entry.ts';
import type { SetupEvent } from '../../circuits/toolchain/setup.ts';
import type { Narrator } from './_narrator.ts';
import { DEMO_PROFILE, type DemoScenario } from './scenario.ts';

/** The file that marks a folder as the demo's own (module doc). */
export const DEMO_MARKER = '.canopy-demo';

/** The work folder's layout (module doc). */
export interface DemoPaths {
  root: string;
  marker: string;
  registry: string;
  keys: string;
  wallets: string;
  dataset: string;
  plots: string;
  passports: string;
  importer: string;
  auditor: string;
}

/**
 * The layout of a work folder.
 * @throws never
 * @example demoPaths('/home/me/.canopy/demo').wallets // '/home/me/.canopy/demo/wallets'
 */
export function demoPaths(root: string): DemoPaths {
  return {
    root,
    marker: join(root, DEMO_MARKER),
    registry: join(root, 'registry'),
    keys: join(root, 'keys'),
    wallets: join(root, 'wallets'),
    dataset: join(root, 'dataset'),
    plots: join(root, 'plots'),
    passports: join(root, 'passports'),
    importer: join(root, 'importer'),
    auditor: join(root, 'auditor'),
  };
}

/** A registered party of the story. */
export interface DemoParty {
  id: string;
  role: PartyRole;
  /** What the narrative calls it. */
  name: string;
  keyFile: string;
  signer: RequestSigner;
  /** Raw Ed25519 public key, base64 (as registered). */
  publicKey: string;
  /** Its wallet folder and recipient card, for the parties that hold lots. */
  wallet: string | null;
  card: RecipientCard | null;
}

/** The embedded registry as the steps use it. */
export interface DemoRegistryHandle {
  url: string;
  origin: string;
  /** The registry's note verifier key: every checkpoint is checked against it. */
  verifierKey: string;
  client: RegistryClient;
}

/** What every step shares. */
export interface DemoContext {
  scenario: DemoScenario;
  paths: DemoPaths;
  profile: typeof DEMO_PROFILE;
  keysDir: string;
  registry: DemoRegistryHandle;
  parties: Map<string, DemoParty>;
  narrator: Narrator;
  /** The clock deciding the harvest year. */
  now: () => Date;
  /** Groth16 proofs made so far (each is verified by the registry and again by the audit). */
  proofs: { count: number };
  onSetupProgress?: (event: SetupEvent) => void;
}

/**
 * The party with this id.
 * @throws {Error} bug if the id was never registered (the scenario's ids all are)
 * @example const coop = partyOf(ctx, ctx.scenario.cooperative.id)
 */
export function partyOf(ctx: DemoContext, id: string): DemoParty {
  const p = ctx.parties.get(id);
  if (p === undefined) throw new Error(`canopy: bad math in partyOf: party ${id} was not registered`);
  return p;
}

/**
 * The options every `prover/lots` step of a party takes: its wallet and key, the registry
 * (whose checkpoints are opened with its key), the demo keys, and progress into the narrative.
 * @throws {Error} bug if the party holds no wallet
 * @example await mergeLots({ ...lotOptions(ctx, coopId), notes })
 */
export function lotOptions(ctx: DemoContext, id: string): LotCommonOptions {
  const p = partyOf(ctx, id);
  if (p.wallet === null) throw new Error(`canopy: bad math in lotOptions: party ${id} holds no wallet`);
  return {
    wallet: p.wallet,
    registry: ctx.registry.client,
    signer: p.signer,
    profile: ctx.profile,
    keysDir: ctx.keysDir,
    registryVkey: ctx.registry.verifierKey,
    onProgress: (line) => ctx.narrator.detail(line),
    ...(ctx.onSetupProgress ? { onSetupProgress: ctx.onSetupProgress } : {}),
  };
}
