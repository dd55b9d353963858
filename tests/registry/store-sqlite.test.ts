import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openSqliteStore, sqliteSettings } from '../../registry/store/sqlite.ts';
import { sqliteFixture } from './_fixtures.ts';
import { storeConformance } from './store-conformance.ts';

storeConformance('sqlite', sqliteFixture);

describe('openSqliteStore', () => {
  describe('when it opens a file', () => {
    it('runs in WAL mode with synchronous = FULL (2), the durability the contract needs', async () => {
      const f = sqliteFixture();
      const store = openSqliteStore((f.location as { path: string }).path);
      try {
        expect(sqliteSettings(store)).toEqual({ journalMode: 'wal', synchronous: 2 });
      } finally {
        await store.close();
        await f.cleanup();
      }
    });
  });

  describe('when the file holds another schema version', () => {
    it('throws INVALID_INPUT', async () => {
      const f = sqliteFixture();
      const path = (f.location as { path: string }).path;
      await openSqliteStore(path).close();
      const db = new Database(path);
      db.prepare("UPDATE meta SET value = '99' WHERE key = 'schema'").run();
      db.close();
      expect(() => openSqliteStore(path)).toThrow(/schema 99/);
      await f.cleanup();
    });
  });
});
