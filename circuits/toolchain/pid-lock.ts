/**
 * Lock files that hold their owner's pid: one process at a time per folder, across
 * processes, used by setups writing one keys folder (`withDirLock`) and by commands using
 * one wallet (prover/lots/wallet.ts).
 *
 * A lock file is created with O_EXCL, so exactly one process holds it. A lock whose pid no
 * longer runs is stale (its owner died without releasing it) and is taken over.
 * Invariant: while a holder's `fn` runs, no other process holds the same lock file.
 * @module
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const SETUP_LOCK_FILE = '.setup.lock';

/** Whether a process with this pid runs (EPERM: it runs, as another user). */
function running(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Tries once to take the lock file `path`, taking over a stale one.
 * @param mode - file mode of the lock file (e.g. 0o600 inside a private folder)
 * @returns null when this process now holds the lock; otherwise the pid of the running holder
 * @throws a file-system error other than the lock's existence
 * @example const holder = tryPidLock('wallet/lock'); if (holder !== null) throw …
 */
export function tryPidLock(path: string, mode = 0o644): number | null {
  for (;;) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode });
      return null;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(path, 'utf8').trim());
    } catch {
      continue; // released between our two calls
    }
    if (running(holder)) return holder;
    rmSync(path, { force: true });
  }
}

/**
 * Runs `fn` holding the setup lock of `dir` (which must exist), waiting while another
 * process holds it.
 * @param onWait - called once, with the holder's pid, if the lock is busy
 * @throws whatever `fn` throws; the lock is released all the same
 * @example await withDirLock(outDir, () => buildKeys(), (pid) => say(`waiting for setup ${pid}`))
 */
export async function withDirLock<T>(dir: string, fn: () => Promise<T>, onWait?: (pid: number) => void): Promise<T> {
  const lock = join(dir, SETUP_LOCK_FILE);
  let told = false;
  for (let holder = tryPidLock(lock); holder !== null; holder = tryPidLock(lock)) {
    if (!told) onWait?.(holder);
    told = true;
    await sleep(250);
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}
