/** Hostile and older backups (issue 18): nothing is lost, nothing is replaced unasked, bad files change nothing. */
import { afterEach, describe, expect, it } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { openLabDB, type LabDB } from '../../../src/lib/storage/db';
import { progressStore } from '../../../src/lib/storage/progress';
import { isTaskId } from '../../../src/curriculum/plan';
import { backupToJson, exportAll, importAll, parseBackup, planImport, BackupFormatError } from '../../../src/lib/storage/backup';
import { readRemoteSettings } from '../../../src/lib/storage/settings';
import { LabError } from '../../../src/lib/errors';

const { setTaskManually, loadProgress } = progressStore(isTaskId);

let dbs: LabDB[] = [];
function freshDb(name = 'test'): LabDB {
  const db = openLabDB(name, { indexedDB: new IDBFactory(), IDBKeyRange });
  dbs.push(db);
  return db;
}
afterEach(() => {
  for (const d of dbs) d.close();
  dbs = [];
});

const file = (tables: unknown, schemaVersion = 3, exportedAt = '2026-01-01T00:00:00.000Z') => JSON.stringify({ format: 'llm-lab-backup', schemaVersion, exportedAt, tables });
const f32 = (xs: number[]) => ({ $bin: Buffer.from(new Float32Array(xs).buffer).toString('base64'), type: 'ArrayBuffer' });

/** A browser with some of everything: 2 progress rows, a lab state, a setting, a collection with 1 document. */
async function filled(): Promise<LabDB> {
  const db = freshDb();
  await setTaskManually(db, '1.0.a', true, Date.parse('2026-06-01'));
  await setTaskManually(db, '1.1.a', true, Date.parse('2025-06-01'));
  await db.labStates.put({ labId: 'sampling', state: { temperature: 0.3 }, updatedAt: 1 });
  await db.settings.put({ key: 'models.current', value: 'tinylm-chat' });
  await db.collections.put({ id: 'c', name: 'Notes', embedder: 'lexical', dims: 2, createdAt: 1 });
  await db.documents.put({ id: 'd', collectionId: 'c', name: 'a.txt', mime: 'text/plain', hash: 'h', size: 3, text: 'abc', createdAt: 1 });
  return db;
}

async function counts(db: LabDB): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of db.tables) out[t.name] = await t.count();
  return out;
}

function formatError(fn: () => unknown): BackupFormatError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BackupFormatError);
    expect(e).toBeInstanceOf(LabError);
    expect((e as LabError).code).toBe('bad-format');
    return e as BackupFormatError;
  }
  throw new Error('expected a BackupFormatError');
}

describe('backup import never empties what the file does not hold', () => {
  it('"tables": {} and "tables": [] are refused and change nothing', async () => {
    const db = await filled();
    const before = await counts(db);
    expect(formatError(() => parseBackup(file({}), db)).message).toMatch(/no tables/);
    expect(formatError(() => parseBackup(file([]), db)).message).toMatch(/no tables/);
    expect(await counts(db)).toEqual(before);
  });

  it('a backup holding only progress replaces progress and leaves the other tables alone', async () => {
    const db = await filled();
    const parsed = parseBackup(file({ progress: [{ taskId: '2.1.a', done: true, source: 'manual', updatedAt: 5 }] }), db);
    const plan = await planImport(db, parsed);
    expect(plan.tables).toEqual([{ name: 'progress', existing: 2, incoming: 1, newer: 1 }]);
    expect(plan.untouched).toContain('documents');
    expect(plan.untouched).toHaveLength(12);
    const res = await importAll(db, parsed, 'replace');
    expect(res).toEqual({ stored: 1, tables: { progress: 1 } });
    expect([...(await loadProgress(db)).keys()]).toEqual(['2.1.a']);
    expect(await db.documents.count()).toBe(1);
    expect(await db.labStates.count()).toBe(1);
    expect(await db.settings.count()).toBe(1);
  });

  it('the plan says which rows in the browser are newer than the backup; merge keeps them', async () => {
    const db = await filled();
    const parsed = parseBackup(file({ progress: [{ taskId: '1.1.a', done: false, source: 'manual', updatedAt: 7 }] }, 3, '2026-01-01T00:00:00.000Z'), db);
    const plan = await planImport(db, parsed);
    expect(plan.tables[0]).toMatchObject({ name: 'progress', existing: 2, incoming: 1, newer: 1 }); // 1.0.a was ticked in June 2026
    const res = await importAll(db, parsed, 'merge');
    expect(res.stored).toBe(1);
    const p = await loadProgress(db);
    expect(p.get('1.0.a')?.done).toBe(true);
    expect(p.get('1.1.a')?.done).toBe(false);
  });

  it('counts what was stored: rows repeating a key count once (it said 36 when 31 were stored)', async () => {
    const db = freshDb();
    const rows = Array.from({ length: 36 }, (_, i) => ({ labId: `lab-${i % 31}`, state: { i }, updatedAt: i }));
    const parsed = parseBackup(file({ labStates: rows }), db);
    expect(parsed.notes.join()).toMatch(/5 row\(s\) repeat another row's key/);
    expect((await planImport(db, parsed)).tables[0].incoming).toBe(31);
    const res = await importAll(db, parsed, 'replace');
    expect(res.stored).toBe(31);
    expect(await db.labStates.count()).toBe(31);
    expect((await db.labStates.get('lab-0'))?.state).toEqual({ i: 31 }); // the last one wins
  });
});

describe('every row is validated before anything is written', () => {
  it('a settings row with a malformed models.remote value is refused (it later killed the Models page)', async () => {
    const db = await filled();
    const e = formatError(() => parseBackup(file({ settings: [{ key: 'models.remote', value: { baseUrl: 5 } }] }), db));
    expect(e.message).toMatch(/Row 1 of table “settings” is invalid: .*models\.remote/);
    expect(await db.settings.count()).toBe(1);
    // and the reader is defensive about what is already stored
    expect(readRemoteSettings({ baseUrl: 5 })).toBeNull();
    expect(readRemoteSettings('x')).toBeNull();
    expect(readRemoteSettings({ baseUrl: 'http://localhost:8080/v1', apiKey: '', model: 'm' })).toEqual({ baseUrl: 'http://localhost:8080/v1', apiKey: '', model: 'm' });
  });

  it('names the table, row and field of a bad row', async () => {
    const db = freshDb();
    const bad: Array<[unknown, RegExp]> = [
      [{ progress: [{ taskId: 5, done: true, source: 'm', updatedAt: 1 }] }, /Row 1 of table “progress” is invalid: taskId/],
      [{ documents: [{ id: 'd' }] }, /Row 1 of table “documents” is invalid/],
      [{ chunks: [{ id: 'a', collectionId: 'c', docId: 'd', index: -1, text: '', start: 0, end: 0 }] }, /chunks.*index/],
      [{ vectorBlocks: [{ docId: 'd', collectionId: 'c', embedder: 'e', dims: 2, chunkIds: ['a', 'b'], vectors: f32([1, 2]) }] }, /vector bytes do not match/],
      [{ modelBlobs: [{ id: 'm', kind: 'evil', name: 'x', meta: {}, data: f32([1]), createdAt: 1 }] }, /modelBlobs.*kind/],
      [{ labStates: [{ labId: 'x', state: { $bin: '!!!', type: 'ArrayBuffer' }, updatedAt: 1 }] }, /damaged binary data|state/],
      [{ labStates: [{ labId: 'x', state: { a: { $bin: 'AAAA', type: 'Function' } }, updatedAt: 1 }] }, /unknown binary type/],
      [{ nope: [] }, /unknown table “nope”/],
      [{ progress: {} }, /malformed/],
    ];
    for (const [tables, re] of bad) expect(formatError(() => parseBackup(file(tables), db)).message).toMatch(re);
  });

  it('deeply nested rows give a clear message, not "Maximum call stack size exceeded"', () => {
    const db = freshDb();
    const deep = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    const text = `{"format":"llm-lab-backup","schemaVersion":3,"exportedAt":"","tables":{"labStates":[{"labId":"x","updatedAt":1,"state":${deep}}]}}`;
    expect(formatError(() => parseBackup(text, db)).message).toMatch(/nested more than 64 levels/);
  });
});

describe('older backups are migrated', () => {
  it('a schema-1 backup (per-chunk embeddings, no vectorBlocks) restores its vectors as blocks', async () => {
    const db = freshDb();
    const tables = {
      collections: [{ id: 'c', name: 'Old', embedder: 'lexical', dims: 2, createdAt: 1 }],
      documents: [{ id: 'd', collectionId: 'c', name: 'a.txt', mime: 'text/plain', hash: 'h', size: 3, text: 'ab', createdAt: 1 }],
      chunks: [
        { id: 'k1', collectionId: 'c', docId: 'd', index: 1, text: 'b', start: 1, end: 2 },
        { id: 'k0', collectionId: 'c', docId: 'd', index: 0, text: 'a', start: 0, end: 1 },
      ],
      embeddings: [
        { chunkId: 'k1', collectionId: 'c', embedder: 'lexical', vector: f32([3, 4]) },
        { chunkId: 'k0', collectionId: 'c', embedder: 'lexical', vector: f32([1, 2]) },
      ],
    };
    const parsed = parseBackup(file(tables, 1), db);
    expect(parsed.notes.join()).toMatch(/older version.*2 chunk vector\(s\) were packed into 1 document block/);
    const res = await importAll(db, parsed, 'replace');
    expect(await db.embeddings.count()).toBe(0);
    const block = await db.vectorBlocks.get('d');
    expect(block).toMatchObject({ docIds: ['d'], collectionId: 'c', dims: 2, chunkIds: ['k0', 'k1'] });
    expect(block!.vectors).toBeInstanceOf(Blob);
    expect(Array.from(new Float32Array(await (block!.vectors as Blob).arrayBuffer()))).toEqual([1, 2, 3, 4]);
    expect(res.stored).toBe(1 + 1 + 2 + 1); // collections, documents, chunks, vectorBlocks (embeddings: 0)
  });

  it('warns when a collection’s chunks have no vectors', () => {
    const db = freshDb();
    const parsed = parseBackup(
      file(
        {
          collections: [{ id: 'c', name: 'Lost', embedder: 'lexical', dims: 2, createdAt: 1 }],
          chunks: [{ id: 'k0', collectionId: 'c', docId: 'd', index: 0, text: 'a', start: 0, end: 1 }],
        },
        1,
      ),
      db,
    );
    expect(parsed.notes.join()).toMatch(/“Lost”: 1 chunk\(s\) have no vectors/);
  });

  it('a real export round-trips and re-imports onto itself with a plan of equal counts', async () => {
    const db = await filled();
    const json = backupToJson(await exportAll(db, new Date('2027-01-01')));
    const parsed = parseBackup(json, db);
    const plan = await planImport(db, parsed);
    expect(plan.tables).toHaveLength(13);
    expect(plan.tables.find((t) => t.name === 'progress')).toEqual({ name: 'progress', existing: 2, incoming: 2, newer: 0 });
    const res = await importAll(db, parsed, 'replace');
    expect(res.stored).toBe(2 + 1 + 1 + 1 + 1);
  });
});
