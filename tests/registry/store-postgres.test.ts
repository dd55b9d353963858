import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../registry/store/postgres.ts';
import { DATABASE_URL, datasetEntry, fe, openLog, postgresFixture } from './_fixtures.ts';
import { storeConformance } from './store-conformance.ts';

if (DATABASE_URL === undefined || DATABASE_URL === '') {
  console.log('store-postgres: skipped, CANOPY_TEST_DATABASE_URL is not set (docs/registry.md "PostgreSQL set-up")');
  describe.skip('RegistryStore (postgres)', () => {
    it('needs CANOPY_TEST_DATABASE_URL', () => {});
  });
} else {
  storeConformance('postgres', postgresFixture);

  describe('openPostgresStore', () => {
    describe('when the schema name is not a plain identifier', () => {
      it('throws RangeError before connecting', async () => {
        await expect(openPostgresStore({ connectionString: DATABASE_URL!, schema: 'x"; DROP TABLE y; --' })).rejects.toThrow(RangeError);
      });
    });

    describe('when the schema holds version 1', () => {
      it('migrates it to version 2, moving the key-value submitter records to the submissions table', async () => {
        const f = postgresFixture();
        const { schema } = f.location as { schema: string };
        try {
          const log = await openLog(await f.open());
          await log.append([datasetEntry(fe('a')), datasetEntry(fe('b')), datasetEntry(fe('c'))]);
          await log.close();
          const c = new pg.Client({ connectionString: DATABASE_URL! });
          await c.connect();
          try {
            await c.query(`SET search_path = ${schema}`);
            await c.query('DROP TABLE submissions; DROP TABLE pinned_keys; DROP TABLE nonces; DROP INDEX lots_leaves_leaf;');
            await c.query("UPDATE meta SET value = '1' WHERE key = 'schema'");
            const record = { first: 1, count: 5, keyId: 'pub-1', kind: 'party', role: 'publisher', submittedAt: 1767225600123 };
            await c.query('INSERT INTO kv (key, value) VALUES ($1, $2)', ['audit/submissions/1', Buffer.from(JSON.stringify(record))]);
          } finally {
            await c.end();
          }
          const store = await f.open();
          try {
            // Entries 1..2 exist; the record's count reaching beyond the log adds no row.
            expect(await store.readSubmissions(0, 10)).toEqual([1, 2].map((sequence) => ({ sequence, keyId: 'pub-1', kind: 'party', role: 'publisher', submittedAt: 1767225600123 })));
            expect(await store.kvGet('audit/submissions/1')).toBeNull();
            expect(await store.rememberNonce('pub-1', 'nonce-aaaaaaaaaaaa', 10, 0)).toBe(true);
          } finally {
            await store.close();
          }
        } finally {
          await f.cleanup();
        }
      });
    });

    describe('when several processes open the same schema at once', () => {
      it('creates the tables once, without a race', async () => {
        const f = postgresFixture();
        const stores = await Promise.all([f.open(), f.open(), f.open()]);
        expect((await stores[0]!.head()).size).toBe(0);
        await Promise.all(stores.map((s) => s.close()));
        await f.cleanup();
      });
    });
  });
}
