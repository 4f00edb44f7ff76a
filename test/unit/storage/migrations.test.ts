/**
 * Migration test pattern: for each schema version, open a database written by the previous
 * version and check the upgraded rows. Later versions add a case here.
 */
import { describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { openLabDB, SCHEMA_VERSIONS } from '../../../src/lib/storage/db';

describe('schema migrations', () => {
  it('versions are strictly increasing and every table keeps a primary key', () => {
    const versions = SCHEMA_VERSIONS.map((s) => s.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    for (const s of SCHEMA_VERSIONS) for (const def of Object.values(s.stores)) expect(def.split(',')[0].trim().length).toBeGreaterThan(0);
  });

  it('opens a database written with the previous version (v1 baseline: an empty pre-v1 db)', async () => {
    const idb = new IDBFactory();
    // A database created by an older build with only the progress table.
    const old = new Dexie('llm-lab', { indexedDB: idb, IDBKeyRange });
    old.version(1).stores({ progress: 'taskId, updatedAt' });
    await old.table('progress').put({ taskId: '1.0.a', done: true, source: 'manual', updatedAt: 1 });
    old.close();
    const db = openLabDB('llm-lab', { indexedDB: idb, IDBKeyRange });
    expect((await db.progress.get('1.0.a'))?.done).toBe(true);
    expect(db.tables.map((t) => t.name).sort()).toContain('embeddings');
    db.close();
  });
});
