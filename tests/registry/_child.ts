/**
 * Runs `_durability-child.ts` as a separate Node process and collects what it prints.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StoreFixture } from './_fixtures.ts';

const CHILD = fileURLToPath(new URL('./_durability-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A running registry child process. */
export interface Child {
  readonly process: ChildProcess;
  /** Complete stdout lines so far. */
  readonly lines: string[];
  /** Resolves with the exit code (null) and signal when the process ends. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  /** Resolves when a line matching `test` has been printed `count` times. */
  waitFor(test: (line: string) => boolean, count?: number): Promise<void>;
}

/** Starts a child with the given config (see _durability-child.ts). */
export function startChild(config: { location: StoreFixture['location']; id: string; mode: 'loop' | 'fixed'; count?: number; sharedRoot?: string | null; sharedNullifiers?: number; goFile?: string | null }): Child {
  const full = { count: 0, sharedRoot: null, sharedNullifiers: 0, goFile: null, ...config };
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(full)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: { test: (l: string) => boolean; count: number; resolve: () => void }[] = [];
  let partial = '';
  let stderr = '';
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (chunk: string) => {
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    for (const w of [...waiters]) {
      if (lines.filter(w.test).length >= w.count) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    proc.on('exit', (code, signal) => {
      // A line cut by the kill is not an acknowledgement: drop `partial`.
      for (const w of waiters) w.resolve();
      resolve({ code, signal, stderr });
    });
  });
  return {
    process: proc,
    lines,
    exited,
    waitFor: (test, count = 1) =>
      new Promise<void>((resolve) => {
        if (lines.filter(test).length >= count) resolve();
        else waiters.push({ test, count, resolve });
      }),
  };
}

/** The acknowledged sequence numbers a child printed. */
export function acks(child: Child): number[] {
  return child.lines.filter((l) => l.startsWith('ack ')).map((l) => Number(l.slice(4)));
}
