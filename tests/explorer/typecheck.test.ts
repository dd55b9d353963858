// The explorer's browser modules are plain JavaScript typed by JSDoc (no build step), so
// the project's `npm run typecheck` does not see them; this runs the TypeScript compiler on
// them with their own configuration (registry/explorer/tsconfig.json: checkJs, strict, DOM).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('registry/explorer/static/*.js', () => {
  describe('when type-checked with registry/explorer/tsconfig.json', () => {
    it('has no type error', () => {
      let out = '';
      let failed = false;
      try {
        execFileSync(process.execPath, [fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'registry/explorer/tsconfig.json'], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
      } catch (e) {
        failed = true;
        out = String((e as { stdout?: string }).stdout ?? e);
      }
      expect(out).toBe('');
      expect(failed).toBe(false);
    });
  });
});
