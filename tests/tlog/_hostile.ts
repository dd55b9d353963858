/**
 * Throws the shared hostile-input table at one argument of a function at a time, the
 * other arguments held valid. Each argument states which values it accepts; every other
 * value must be rejected with `"title" expected …` (a TypeError or RangeError).
 */
import { expect } from 'vitest';
import { expectInputError, HOSTILE_INPUTS } from '../hostile-inputs.ts';

export interface ArgSpec {
  /** Position of the argument. */
  index: number;
  /** Values the function accepts in this position (hostile values passing it are skipped). */
  accepts: (v: unknown) => boolean;
  /** The title the error must name, or a function of the value for titles like proof[0]. */
  title: string | ((v: unknown) => string);
}

export type HostileCase = readonly [label: string, args: unknown[], title: string];

/** One case per (argument, hostile value the argument does not accept). */
export function hostileCases(valid: readonly unknown[], specs: readonly ArgSpec[]): HostileCase[] {
  const cases: HostileCase[] = [];
  for (const spec of specs) {
    for (const h of HOSTILE_INPUTS) {
      if (spec.accepts(h.value)) continue;
      const args = [...valid];
      args[spec.index] = h.value;
      const title = typeof spec.title === 'string' ? spec.title : spec.title(h.value);
      cases.push([`arg ${spec.index} = ${h.name}`, args, title]);
    }
  }
  return cases;
}

/** Expects a sync call or an async one to reject bad input naming `title`. */
export async function expectRejects(fn: () => unknown, title: string): Promise<void> {
  let result: unknown;
  try {
    result = fn();
  } catch {
    expectInputError(fn, title);
    return;
  }
  const err = await Promise.resolve(result).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected a rejection naming "${title}"`).toBeInstanceOf(Error);
  expect(err instanceof TypeError || err instanceof RangeError, String(err)).toBe(true);
  expect((err as Error).message.startsWith(`"${title}" expected`), (err as Error).message).toBe(true);
}

export const isHash = (v: unknown): boolean => v instanceof Uint8Array && v.length === 32;

/** Title for a hostile `proof` argument: the whole array, or its first bad element. */
export const proofTitle = (v: unknown): string => (Array.isArray(v) ? `proof[${v.findIndex((x) => !isHash(x))}]` : 'proof');

export const isHashArray = (v: unknown): boolean => Array.isArray(v) && v.every(isHash);
