/**
 * A registry process for the durability and multi-process tests: opens the store given on
 * the command line, appends entries through a RegistryLog (fake proof verifier), and
 * prints one line per outcome on stdout, each only after the call settled:
 *
 *     ack <sequence>      an entry was acknowledged (the append call resolved)
 *     rej <reason>        an entry was refused
 *     cp <size>           a checkpoint was signed
 *     ready               the store is open (mode "fixed"); appending starts once goFile exists
 *     done                the process finished its work (mode "fixed")
 *
 * stdout is a pipe, which Node writes synchronously on Linux, so a printed ack was
 * acknowledged before the line left the process. Every append names a submitter, which the
 * store writes in the entry's transaction: after a kill, every stored entry has its row.
 *
 * Usage: node --import tsx tests/registry/_durability-child.ts '<json config>'
 *   { "location": StoreFixture["location"], "id": "a", "mode": "loop" | "fixed",
 *     "count": 100, "sharedRoot": "…" | null, "sharedNullifiers": 10, "goFile": "/tmp/…" | null }
 */
import { existsSync } from 'node:fs';
import { openPostgresStore } from '../../registry/store/postgres.ts';
import { openSqliteStore } from '../../registry/store/sqlite.ts';
import type { LogEntry } from '../../registry/log/entry.ts';
import type { RegistryStore } from '../../registry/store/store.ts';
import { artifacts, capacityIssue, datasetEntry, fe, lotMint, openLog, plotAttestation, type StoreFixture, transition } from './_fixtures.ts';

interface Config {
  location: StoreFixture['location'];
  id: string;
  mode: 'loop' | 'fixed';
  count: number;
  sharedRoot: string | null;
  sharedNullifiers: number;
  /** Mode "fixed": print "ready", then wait for this file to exist before appending, so that processes overlap. */
  goFile: string | null;
}

const config = JSON.parse(process.argv[2]!) as Config;
const say = (line: string) => process.stdout.write(`${line}\n`);

const store: RegistryStore =
  config.location.kind === 'sqlite' ? openSqliteStore(config.location.path) : await openPostgresStore({ connectionString: config.location.url, schema: config.location.schema });
const log = await openLog(store);
const start = (await store.head()).size;
const tag = `${config.id}-${start}`;

async function append(entries: LogEntry[]): Promise<void> {
  try {
    for (const r of await log.append(entries, { submitter: { keyId: `child-${config.id}`, kind: 'party', role: 'supplier', submittedAt: Date.now() } })) say(`ack ${r.sequence}`);
  } catch (e) {
    const reason = (e as { reason?: string }).reason;
    if (reason === undefined) throw e;
    say(`rej ${reason}`);
  }
}

if (config.mode === 'loop') {
  // Every kind of row, so a kill can land in the middle of any of them.
  let dataset: bigint | null = null;
  // Pin the fake key once, so later proofs pass the pinning check and pinned_keys has a row.
  if ((await store.readPinnedKeys()).length === 0) await append([artifacts(['lot_transition', 'lot_mint', 'capacity_mint', 'capacity_issue', 'plot_window'])]);
  for (let i = 0; ; i++) {
    const k = `${tag}-${i}`;
    const latest = await log.latestCheckpoint();
    switch (i % 6) {
      case 0:
        dataset = fe(`ds-${k}`);
        await append([datasetEntry(dataset, `dataset ${k}`)]);
        break;
      case 1:
        await append([lotMint(fe(`m-${k}`)), lotMint(fe(`m2-${k}`))]);
        break;
      case 2:
        if (latest !== null && latest.lotsSize > 0) await append([transition({ root: BigInt(latest.lotsRoot), nullifiers: [fe(`n-${k}`), 0n], outCommitments: [fe(`o-${k}`), fe(`p-${k}`)] })]);
        else await append([lotMint(fe(`m3-${k}`))]);
        break;
      case 3:
        if (dataset !== null) await append([plotAttestation([{ datasetRoot: dataset, attestationLeaf: fe(`w-${k}`) }, { datasetRoot: dataset, attestationLeaf: fe(`w2-${k}`) }])]);
        break;
      case 4:
        say(`cp ${(await log.signCheckpoint()).size}`);
        break;
      case 5:
        if (latest !== null && latest.plotsSize > 0) await append([capacityIssue({ plotsRoot: BigInt(latest.plotsRoot), issueTag: fe(`t-${k}`), capacityCommitment: fe(`c-${k}`) })]);
        break;
    }
  }
} else {
  say('ready');
  while (config.goFile !== null && !existsSync(config.goFile)) await new Promise((r) => setTimeout(r, 10));
  for (let k = 0; k < config.count; k++) {
    if (config.sharedRoot !== null && k < config.sharedNullifiers) {
      await append([transition({ root: BigInt(config.sharedRoot), nullifiers: [fe(`shared-${k}`)], outCommitments: [fe(`${tag}-o${k}`), 0n] })]);
    } else if (k % 2 === 0) {
      await append([datasetEntry(fe(`${tag}-d${k}`), `by ${config.id}`)]);
    } else {
      await append([lotMint(fe(`${tag}-m${k}`))]);
    }
    if (k % 10 === 9) say(`cp ${(await log.signCheckpoint()).size}`);
  }
  await log.close();
  say('done');
}
