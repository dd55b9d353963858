import { describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../registry/store/postgres.ts';
import { DATABASE_URL, postgresFixture } from './_fixtures.ts';
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
