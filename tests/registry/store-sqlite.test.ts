import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openSqliteStore, sqliteSettings } from '../../registry/store/sqlite.ts';
import { datasetEntry, fe, openLog, sqliteFixture } from './_fixtures.ts';
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

  describe('when the file holds schema version 1', () => {
    it('migrates it to version 2, moving the key-value submitter records to the submissions table', async () => {
      const f = sqliteFixture();
      const path = (f.location as { path: string }).path;
      const log = await openLog(openSqliteStore(path));
      await log.append([datasetEntry(fe('a')), datasetEntry(fe('b')), datasetEntry(fe('c'))]);
      await log.close();
      // What version 1 left behind: one kv record for entries 0..1, none for entry 2, no new tables.
      const db = new Database(path);
      db.exec('DROP TABLE submissions; DROP TABLE pinned_keys; DROP TABLE nonces; DROP INDEX lots_leaves_leaf;');
      db.prepare("UPDATE meta SET value = '1' WHERE key = 'schema'").run();
      const record = { first: 0, count: 2, keyId: 'pub-1', kind: 'party', role: 'publisher', submittedAt: 1767225600123 };
      db.prepare('INSERT INTO kv (key, value) VALUES (?, ?)').run('audit/submissions/0', Buffer.from(JSON.stringify(record)));
      db.close();
      const store = openSqliteStore(path);
      try {
        expect(await store.readSubmissions(0, 3)).toEqual([0, 1].map((sequence) => ({ sequence, keyId: 'pub-1', kind: 'party', role: 'publisher', submittedAt: 1767225600123 })));
        expect(await store.kvGet('audit/submissions/0')).toBeNull();
        expect(await store.rememberNonce('pub-1', 'nonce-aaaaaaaaaaaa', 10, 0)).toBe(true);
        const check = new Database(path, { readonly: true });
        expect(check.prepare("SELECT value FROM meta WHERE key = 'schema'").get()).toEqual({ value: '2' });
        expect(check.prepare("SELECT name FROM sqlite_master WHERE name = 'lots_leaves_leaf'").get()).toEqual({ name: 'lots_leaves_leaf' });
        check.close();
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
