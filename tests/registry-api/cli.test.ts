// `canopy registry serve|keygen|party add|party revoke|checkpoint`, run in-process through
// prover/cli/main.ts (and `runServe` directly, which the serve action calls with a signal
// wired to SIGINT/SIGTERM). The setup folder here is a stand-in: a manifest listing one
// lot_mint verification key, enough for the registry to publish it; no proof is verified.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_FORMAT, writeManifest, type CircuitManifest } from '../../circuits/toolchain/manifest.ts';
import { defaultOutDir } from '../../circuits/toolchain/setup.ts';
import { CanopyError } from '../../core/errors.ts';
import { runServe, serveOptionsFromFlags, type ServeFlags, type ServeOptions } from '../../prover/cli/commands/registry.ts';
import type { CliIo } from '../../prover/cli/io.ts';
import { buildProgram } from '../../prover/cli/main.ts';
import { RegistryClient } from '../../registry/client.ts';
import { runCanopy, type CanopyRun } from '../_canopy.ts';

type Run = CanopyRun;
const canopy = (...args: string[]): Promise<Run> => runCanopy(args);

/** A setup folder with a manifest listing one lot_mint key (the other files are named, not read). */
function fakeSetup(dir: string): string {
  mkdirSync(join(dir, 'lot_mint'), { recursive: true });
  const vkey = JSON.stringify({ protocol: 'groth16', curve: 'bn128', nPublic: 1, vk_alpha_1: ['1', '2', '1'], vk_beta_2: [], vk_gamma_2: [], vk_delta_2: [], vk_alphabeta_12: [], IC: [['1', '2', '1'], ['1', '2', '1']] });
  writeFileSync(join(dir, 'lot_mint', 'lot_mint.vkey.json'), vkey);
  const file = (path: string, text = '') => ({ path, sha256: createHash('sha256').update(text).digest('hex'), bytes: Buffer.byteLength(text) });
  const entry: CircuitManifest = {
    circuit: 'lot_mint', profile: 'test', template: 'LotMint', params: {}, publicSignals: ['outCommitment'],
    constraints: { total: 507, nonLinear: 507, linear: 0 }, publicInputs: 1, publicOutputs: 0, privateInputs: 6, wires: 510,
    compiler: 'circom2@0.2.23', sourceKey: 'a'.repeat(64), setupKey: 'b'.repeat(64),
    ptau: { file: 'canopy_pot14_not_for_production.ptau', sha256: 'c'.repeat(64), power: 14, source: 'bundled', forProduction: false },
    phase2: { circuitHash: 'd'.repeat(128), contributionHash: 'e'.repeat(128), beaconHash: 'f'.repeat(64), beaconIterationsExp: 10 },
    files: { r1cs: file('lot_mint/lot_mint.r1cs'), wasm: file('lot_mint/lot_mint.wasm'), zkey: file('lot_mint/lot_mint.zkey'), vkey: file('lot_mint/lot_mint.vkey.json', vkey), transcript: file('lot_mint/lot_mint.phase2.json') },
  };
  writeManifest(dir, { format: MANIFEST_FORMAT, profile: 'test', snarkjs: '0.7.6', circuits: { lot_mint: entry } });
  return dir;
}

/** The flags commander hands the serve action for `args`. */
async function serveFlags(...args: string[]): Promise<ServeFlags> {
  const io: CliIo = { out: () => undefined, err: () => undefined, isTty: false };
  const program = buildProgram(io);
  const serve = (program.commands.find((c) => c.name() === 'registry') as Command).commands.find((c) => c.name() === 'serve') as Command;
  let captured: ServeFlags | undefined;
  serve.action((flags: ServeFlags) => {
    captured = flags;
  });
  await program.parseAsync(['node', 'canopy', 'registry', 'serve', ...args]);
  return captured!;
}

let dir: string;
let setupDir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'canopy-cli-registry-'));
  setupDir = fakeSetup(join(dir, 'setup'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('canopy registry keygen', () => {
  describe('when the file does not exist', () => {
    it('writes the signer key with mode 0600 and the verifier key beside it', async () => {
      const r = await canopy('registry', 'keygen', '--name', 'mill-7', '--out', join(dir, 'mill-7.key'), '--json');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.out) as { verifierKey: string; publicKey: string; verifierKeyFile: string };
      expect(statSync(join(dir, 'mill-7.key')).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(dir, 'mill-7.vkey'), 'utf8')).toBe(`${out.verifierKey}\n`);
      expect(out.verifierKey).toMatch(/^mill-7\+[0-9a-f]{8}\+/);
      expect(Buffer.from(out.publicKey, 'base64')).toHaveLength(32);
    });
  });
  describe('when the file exists', () => {
    it('refuses to overwrite it (exit 1)', async () => {
      const before = readFileSync(join(dir, 'mill-7.key'), 'utf8');
      const r = await canopy('registry', 'keygen', '--name', 'other', '--out', join(dir, 'mill-7.key'));
      expect([r.code, r.err]).toEqual([1, expect.stringContaining('refusing to overwrite')]);
      expect(readFileSync(join(dir, 'mill-7.key'), 'utf8')).toBe(before);
    });
  });
  describe('when --name is not a valid key name', () => {
    it('exits 1 naming it', async () => {
      const r = await canopy('registry', 'keygen', '--name', 'has space', '--out', join(dir, 'bad.key'));
      expect(r.code).toBe(1);
      expect(existsSync(join(dir, 'bad.key'))).toBe(false);
    });
  });
});

describe('serveOptionsFromFlags', () => {
  describe('when every flag is given', () => {
    it('maps each to its option', async () => {
      const flags = await serveFlags(
        '--port', '0', '--host', '0.0.0.0', '--data', join(dir, 'd'), '--key-file', join(dir, 'k.key'), '--origin', 'reg.example/canopy',
        '--setup', setupDir, '--profile', 'test', '--accreditor-vkey', 'acc+01234567+AAAA', '--verify-workers', '3',
        '--checkpoint-interval', '250', '--rate-limit', '50:20', '--body-limit', '4096', '--log-level', 'warn',
      );
      expect(serveOptionsFromFlags(flags)).toEqual({
        port: 0, host: '0.0.0.0', store: { kind: 'sqlite', dir: join(dir, 'd') }, keyFile: join(dir, 'k.key'), origin: 'reg.example/canopy',
        setupDir, profile: 'test', accreditorVkey: 'acc+01234567+AAAA', verifyWorkers: 3, checkpointIntervalMs: 250,
        rateLimit: { burst: 50, perSecond: 20 }, bodyLimitBytes: 4096, logLevel: 'warn',
      } satisfies ServeOptions);
    });
  });
  describe('when flags are left out', () => {
    it('uses the defaults: port 8080, loopback, <data>/registry.key, demo setup, 1 s checkpoints, 200:100, 1 MiB, info', async () => {
      const o = serveOptionsFromFlags(await serveFlags('--data', join(dir, 'd')));
      expect(o).toMatchObject({ port: 8080, host: '127.0.0.1', keyFile: join(dir, 'd', 'registry.key'), origin: undefined, setupDir: defaultOutDir('demo'), profile: 'demo', accreditorVkey: null, verifyWorkers: undefined, checkpointIntervalMs: 1000, rateLimit: { burst: 200, perSecond: 100 }, bodyLimitBytes: 1024 * 1024, logLevel: 'info' });
      expect(serveOptionsFromFlags(await serveFlags('--data', 'x', '--rate-limit', 'off')).rateLimit).toBeNull();
    });
  });
  describe('when --database is given', () => {
    it('selects PostgreSQL and needs --key-file', async () => {
      expect(serveOptionsFromFlags(await serveFlags('--database', 'postgres://u:p@127.0.0.1/db', '--key-file', 'k.key')).store).toEqual({ kind: 'postgres', url: 'postgres://u:p@127.0.0.1/db' });
      expect(() => serveOptionsFromFlags({ ...({} as ServeFlags), database: 'postgres://x/y' })).toThrow(/--key-file/);
      expect(() => serveOptionsFromFlags({ ...({} as ServeFlags), database: 'mysql://x/y', keyFile: 'k' })).toThrow(/postgres:\/\//);
    });
  });
  describe('when both or neither of --data and --database are given', () => {
    it('throws INVALID_INPUT', () => {
      for (const f of [{}, { data: 'd', database: 'postgres://x/y' }]) {
        const e = (() => {
          try {
            serveOptionsFromFlags(f as ServeFlags);
          } catch (x) {
            return x;
          }
        })();
        expect(e).toBeInstanceOf(CanopyError);
      }
    });
  });
  describe('when a flag value is malformed', () => {
    it('exits 2 (bad usage)', async () => {
      for (const args of [['--port', '70000'], ['--port', '-1'], ['--rate-limit', 'fast'], ['--log-level', 'loud'], ['--verify-workers', '0'], ['--checkpoint-interval', '1.5'], ['--body-limit', '10']]) {
        const r = await canopy('registry', 'serve', '--data', join(dir, 'unused'), ...args);
        expect([args.join(' '), r.code]).toEqual([args.join(' '), 2]);
      }
      expect(existsSync(join(dir, 'unused'))).toBe(false);
    });
  });
});

describe('canopy registry serve, party, checkpoint', () => {
  const data = () => join(dir, 'registry-data');
  let url: string;
  let stop: AbortController;
  let serving: Promise<void>;
  let out = '';
  let err = '';

  beforeAll(async () => {
    await canopy('registry', 'keygen', '--name', 'accreditor.test', '--out', join(dir, 'accreditor.key'));
    await canopy('registry', 'keygen', '--name', 'coop-9', '--out', join(dir, 'coop-9.key'));
    stop = new AbortController();
    const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), isTty: false };
    const flags = await serveFlags('--port', '0', '--data', data(), '--origin', 'registry.cli.test/canopy', '--setup', setupDir, '--profile', 'test', '--accreditor-vkey', join(dir, 'accreditor.vkey'), '--verify-workers', '1', '--checkpoint-interval', '50', '--rate-limit', 'off', '--log-level', 'silent');
    serving = runServe(serveOptionsFromFlags(flags), io, stop.signal);
    for (let waited = 0; !/listening on /.test(out); waited += 50) {
      if (waited > 60_000) throw new Error(`the registry did not start: ${err}`);
      await Promise.race([new Promise((r) => setTimeout(r, 50)), serving]);
    }
    url = /listening on (\S+)/.exec(out)![1]!;
  });
  afterAll(async () => {
    stop.abort();
    await serving;
  });

  describe('serve', () => {
    it('creates the data folder, the store and a 0600 key whose verifier key it prints and writes', () => {
      expect(existsSync(join(data(), 'registry.db'))).toBe(true);
      expect(statSync(join(data(), 'registry.key')).mode & 0o777).toBe(0o600);
      const vkey = readFileSync(join(data(), 'registry.vkey'), 'utf8').trim();
      expect(vkey).toMatch(/^registry\.cli\.test\/canopy\+[0-9a-f]{8}\+/);
      expect(out).toContain(`registry key: ${vkey}\n`);
      expect(err).toContain('created registry key');
    });
    it('publishes the setup folder’s key', async () => {
      const a = await new RegistryClient({ baseUrl: url }).artifacts();
      expect(a.circuits.map((c) => c.circuit)).toEqual(['lot_mint']);
      expect(a.manifestSha256).toBe(createHash('sha256').update(readFileSync(join(setupDir, 'manifest.json'))).digest('hex'));
    });
    it('pins the setup folder’s artifacts as entry 0, with the manifest’s hashes', async () => {
      const manifest = JSON.parse(readFileSync(join(setupDir, 'manifest.json'), 'utf8')) as { circuits: { lot_mint: CircuitManifest } };
      const files = manifest.circuits.lot_mint.files;
      const { entry } = await new RegistryClient({ baseUrl: url }).entry(0);
      expect(entry).toEqual({ type: 'artifacts', version: 1, body: { profile: 'test', circuits: { lot_mint: { vkeyHash: files.vkey.sha256, zkeyHash: files.zkey.sha256, r1csHash: files.r1cs.sha256 } } } });
    });
  });

  describe('party add and party revoke', () => {
    it('register and revoke a party with the accreditor key, and exit 1 with the code on a refusal', async () => {
      const add = await canopy('registry', 'party', 'add', '--url', url, '--key-file', join(dir, 'accreditor.key'), '--id', 'coop-9', '--role', 'supplier', '--vkey', join(dir, 'coop-9.vkey'), '--json');
      expect(add.code).toBe(0);
      expect(JSON.parse(add.out)).toMatchObject({ sequence: 1 });
      const client = new RegistryClient({ baseUrl: url });
      expect(await client.party('coop-9')).toMatchObject({ role: 'supplier', revokedAt: null });
      const again = await canopy('registry', 'party', 'add', '--url', url, '--key-file', join(dir, 'accreditor.key'), '--id', 'coop-9', '--role', 'supplier', '--public-key', Buffer.alloc(32, 1).toString('base64'));
      expect([again.code, again.err]).toEqual([1, expect.stringMatching(/^canopy: PARTY_EXISTS \(HTTP 409\): /)]);
      const revoke = await canopy('registry', 'party', 'revoke', '--url', url, '--key-file', join(dir, 'accreditor.key'), '--id', 'coop-9', '--reason', 'audit finding');
      expect([revoke.code, revoke.out]).toEqual([0, 'revoked coop-9 as entry 2\n']);
      expect((await client.party('coop-9')).revokedAt).toBe(2);
    });
    it('exit 1 when signed by a key that is not the accreditor’s', async () => {
      const r = await canopy('registry', 'party', 'add', '--url', url, '--key-file', join(dir, 'coop-9.key'), '--id', 'coop-10', '--role', 'supplier', '--public-key', Buffer.alloc(32, 2).toString('base64'));
      expect([r.code, r.err]).toEqual([1, 'canopy: KEY_UNKNOWN (HTTP 403): key id "coop-9" is not the accreditor\'s\n']);
    });
    it('exit 2 for an unknown role and 1 for neither or both key flags', async () => {
      expect((await canopy('registry', 'party', 'add', '--url', url, '--key-file', join(dir, 'accreditor.key'), '--id', 'x', '--role', 'king', '--public-key', 'x')).code).toBe(2);
      expect((await canopy('registry', 'party', 'add', '--url', url, '--key-file', join(dir, 'accreditor.key'), '--id', 'x', '--role', 'supplier')).code).toBe(1);
    });
  });

  describe('checkpoint', () => {
    it('prints the latest note and, with --vkey, verifies it', async () => {
      await expect.poll(async () => (await new RegistryClient({ baseUrl: url }).health()).checkpointSize, { timeout: 10_000 }).toBe(3);
      const r = await canopy('registry', 'checkpoint', '--url', url, '--vkey', join(data(), 'registry.vkey'));
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^registry\.cli\.test\/canopy\n3\n/);
      expect(r.err).toContain('OK: signed by registry.cli.test/canopy');
      const j = await canopy('registry', 'checkpoint', '--url', url, '--vkey', join(data(), 'registry.vkey'), '--json');
      expect(JSON.parse(j.out)).toMatchObject({ verified: true, origin: 'registry.cli.test/canopy', size: 3 });
    });
    it('exits 1 when the note does not verify under the given key', async () => {
      const r = await canopy('registry', 'checkpoint', '--url', url, '--vkey', join(dir, 'accreditor.vkey'));
      expect([r.code, r.err]).toEqual([1, expect.stringContaining('NOTE_UNVERIFIED')]);
    });
  });

  describe('serve, restarted with the same setup', () => {
    it('pins nothing again: the log already pins every key of the setup', async () => {
      stop.abort();
      await serving;
      stop = new AbortController();
      out = '';
      const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), isTty: false };
      const flags = await serveFlags('--port', '0', '--data', data(), '--setup', setupDir, '--profile', 'test', '--verify-workers', '1', '--checkpoint-interval', '0', '--log-level', 'silent');
      serving = runServe(serveOptionsFromFlags(flags), io, stop.signal);
      for (let waited = 0; !/listening on /.test(out); waited += 50) {
        if (waited > 60_000) throw new Error(`the registry did not restart: ${err}`);
        await Promise.race([new Promise((r) => setTimeout(r, 50)), serving]);
      }
      const client = new RegistryClient({ baseUrl: /listening on (\S+)/.exec(out)![1]! });
      const { size, entries } = await client.entries(0);
      expect([size, entries.filter((e) => e.entry.type === 'artifacts').length]).toEqual([3, 1]);
    });
  });

  describe('serve, restarted with another --origin', () => {
    it('refuses: the origin is fixed by the existing key', async () => {
      const io: CliIo = { out: () => undefined, err: () => undefined, isTty: false };
      const o = serveOptionsFromFlags(await serveFlags('--port', '0', '--data', data(), '--origin', 'other/canopy', '--setup', setupDir, '--profile', 'test', '--log-level', 'silent'));
      await expect(runServe(o, io, AbortSignal.abort())).rejects.toThrow(/differs from the name of the existing key/);
    });
  });
});
