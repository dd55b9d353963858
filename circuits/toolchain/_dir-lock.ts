/**
 * A lock file that serialises setups writing the same folder, across processes.
 *
 * `<dir>/.setup.lock` holds the owner's pid. It is created with O_EXCL, so exactly one
 * process holds it; a lock whose pid no longer runs is stale (its owner died) and is
 * taken over. Invariant: while `fn` runs, no other setup writes `dir`.
 * @module
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const LOCK_FILE = '.setup.lock';

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
 * Runs `fn` holding the lock of `dir` (which must exist), waiting while another process holds it.
 * @param onWait - called once, with the holder's pid, if the lock is busy
 * @throws whatever `fn` throws; the lock is released all the same
 */
export async function withDirLock<T>(dir: string, fn: () => Promise<T>, onWait?: (pid: number) => void): Promise<T> {
  const lock = join(dir, LOCK_FILE);
  let told = false;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(lock, 'utf8'));
    } catch {
      continue; // released between our two calls
    }
    if (!running(holder)) {
      rmSync(lock, { force: true });
      continue;
    }
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
