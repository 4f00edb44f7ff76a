import { afterEach, describe, expect, it } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { openLabDB, type LabDB } from '../../../src/lib/storage/db';
import { fractionDone, progressStore } from '../../../src/lib/storage/progress';
import { isTaskId } from '../../../src/curriculum/plan';
import { backupToJson, exportAll, importAll, parseBackup, BackupFormatError, type ParsedBackup } from '../../../src/lib/storage/backup';
import { guardQuota, isQuotaError, StorageQuotaError, storageError } from '../../../src/lib/storage/errors';
import { isQuotaError as ragIsQuotaError } from '../../../src/lib/rag/errors';
import { LabError, explainError } from '../../../src/lib/errors';

const { completeTask, loadProgress, setTaskManually } = progressStore(isTaskId);

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

describe('progress', () => {
  it('stores manual ticks and lab completions with time and evidence', async () => {
    const db = freshDb();
    await setTaskManually(db, '1.0.a', true, 1000);
    await completeTask(db, '1.1.a', 'tokenizer', { vocabSize: 500 }, 2000);
    const p = await loadProgress(db);
    expect(p.get('1.0.a')).toMatchObject({ done: true, source: 'manual', updatedAt: 1000 });
    expect(p.get('1.1.a')).toMatchObject({ done: true, source: 'tokenizer', evidence: { vocabSize: 500 }, updatedAt: 2000 });
    await setTaskManually(db, '1.0.a', false, 3000);
    expect((await loadProgress(db)).get('1.0.a')?.done).toBe(false);
    expect(fractionDone(await loadProgress(db), ['1.0.a', '1.1.a'])).toBe(0.5);
  });

  it('rejects unknown task ids', async () => {
    const db = freshDb();
    await expect(completeTask(db, '9.9.z', 'x')).rejects.toThrow(/Unknown task/);
  });
});

describe('backup', () => {
  it('round-trips every table, binary vectors included', async () => {
    const db = freshDb('a');
    await completeTask(db, '1.4.a', 'embeddings', { dims: 3 });
    await db.embeddings.put({ chunkId: 'c1', collectionId: 'col', embedder: 'lexical', vector: new Float32Array([1, -2.5, 3e-8]).buffer });
    await db.labStates.put({ labId: 'sampling', state: { t: 0.7 }, updatedAt: 5 });
    // RAG vector blocks hold a Blob since schema v3
    await db.vectorBlocks.put({ docId: 'd1', docIds: ['d1'], collectionId: 'col', embedder: 'lexical', dims: 2, chunkIds: ['c1', 'c2'], vectors: new Blob([new Float32Array([0.5, -1, 2, 1e-9])]) });
    const json = backupToJson(await exportAll(db, new Date(0)));

    const db2 = freshDb('b');
    await db2.settings.put({ key: 'stale', value: 1 });
    const n = await importAll(db2, parseBackup(json, db2), 'replace');
    expect(n.stored).toBe(4);
    const block = await db2.vectorBlocks.get('d1');
    expect(block).toMatchObject({ collectionId: 'col', dims: 2, chunkIds: ['c1', 'c2'] });
    expect(block!.vectors).toBeInstanceOf(Blob);
    expect(Array.from(new Float32Array(await (block!.vectors as Blob).arrayBuffer()))).toEqual(Array.from(new Float32Array([0.5, -1, 2, 1e-9])));
    expect(await db2.settings.get('stale')).toBeUndefined();
    const e = await db2.embeddings.get('c1');
    expect(e!.vector).toBeInstanceOf(ArrayBuffer);
    expect(Array.from(new Float32Array(e!.vector))).toEqual(Array.from(new Float32Array([1, -2.5, 3e-8])));
    expect((await db2.labStates.get('sampling'))?.state).toEqual({ t: 0.7 });
    expect((await loadProgress(db2)).get('1.4.a')?.evidence).toEqual({ dims: 3 });
  });

  it('rejects files that are not backups, leaving data untouched', async () => {
    const db = freshDb();
    await setTaskManually(db, '1.0.a', true);
    expect(() => parseBackup('not json', db)).toThrow(BackupFormatError);
    expect(() => parseBackup('{"format":"other"}', db)).toThrow(/not an LLM Lab backup/);
    expect(() => parseBackup('{"format":"llm-lab-backup","schemaVersion":999,"tables":{}}', db)).toThrow(/newer version/);
    expect(() => parseBackup('{"format":"llm-lab-backup","schemaVersion":1,"tables":{"nope":[]}}', db)).toThrow(/unknown table/);
    expect(() => parseBackup('{"format":"llm-lab-backup","schemaVersion":1,"tables":{"progress":[1,2]}}', db)).toThrow(/malformed/);
    expect((await loadProgress(db)).get('1.0.a')?.done).toBe(true);
  });

  it('an import that fails midway changes nothing (one transaction), with a LabError, not a raw IndexedDB error', async () => {
    const db = freshDb();
    await setTaskManually(db, '1.0.a', true);
    await db.labStates.put({ labId: 'sampling', state: { t: 1 }, updatedAt: 1 });
    // rows that passed parsing but that IndexedDB refuses (no key): built by hand, as parseBackup would reject them
    const bad: ParsedBackup = {
      schemaVersion: 3,
      exportedAt: '',
      notes: [],
      tables: { progress: [{ taskId: '1.0.b', done: true, source: 'manual', updatedAt: 1 }], labStates: [{ noKey: true }] },
    };
    const err = await importAll(db, bad, 'replace').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe('bad-format');
    expect(explainError(err)).toMatch(/refused a row of this backup.*Nothing was changed/);
    const p = await loadProgress(db);
    expect(p.get('1.0.a')?.done).toBe(true);
    expect(p.get('1.0.b')).toBeUndefined();
    expect((await db.labStates.get('sampling'))?.state).toEqual({ t: 1 });
  });
});

describe('quota errors', () => {
  it('are recognised through Dexie-style wrapping and surfaced as StorageQuotaError', async () => {
    const inner = Object.assign(new Error('quota'), { name: 'QuotaExceededError' });
    const wrapped = Object.assign(new Error('Dexie wrapped'), { name: 'AbortError', inner });
    expect(isQuotaError(wrapped)).toBe(true);
    expect(isQuotaError(new Error('other'))).toBe(false);
    await expect(guardQuota(async () => Promise.reject(wrapped))).rejects.toBeInstanceOf(StorageQuotaError);
    await expect(guardQuota(async () => Promise.reject(new TypeError('x')))).rejects.toBeInstanceOf(TypeError);
  });
});

describe('full disk and raw IndexedDB errors', () => {
  it('Chromium’s "Failed to write blobs (IOError)" on a full disk is a quota error, with the quota explanation', async () => {
    // what Chromium rejects with when the disk fills up while a Blob is written (seen through Dexie)
    const inner = Object.assign(new Error('Failed to write blobs (IOError)'), { name: 'DataError' });
    const wrapped = Object.assign(new Error('DataError Failed to write blobs (IOError)'), { name: 'DataError', inner });
    expect(isQuotaError(wrapped)).toBe(true);
    expect(ragIsQuotaError(wrapped)).toBe(true);
    const e = storageError(wrapped);
    expect(e).toBeInstanceOf(LabError);
    expect(e.code).toBe('quota');
    expect(explainError(e)).toMatch(/storage is full.*Free space on the Storage page/);
    // a key error is not a quota error, but is still explained, never shown raw
    const other = storageError(Object.assign(new Error('Failed to execute put: Evaluating the object store key path did not yield a value.'), { name: 'DataError' }));
    expect(other.code).toBe('unknown');
    expect(explainError(other)).not.toMatch(/DataError|key path/);
    expect(other.hint).toBeTruthy();
  });
});
