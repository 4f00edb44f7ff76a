/**
 * Backup export and import as one API that runs off the main thread (workers/backup.worker.ts):
 * reading, parsing, checking and writing a 100 MB backup takes seconds of CPU, which on the page
 * would freeze it. Results cross the boundary as data: errors as ErrorData (code and hint kept).
 */
import { toErrorData, type ErrorData } from '../errors';
import { backupToJson, exportAll, importAll, parseBackup, planImport, BackupFormatError, type ImportPlan, type ImportResult, type ParsedBackup } from './backup';
import { openLabDB, type LabDB } from './db';

/** Larger files are refused before reading: no backup this app writes comes near it. */
export const MAX_BACKUP_BYTES = 512 * 1024 * 1024;

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ErrorData };

export interface BackupApi {
  /** Reads and checks `file` against database `dbName`, keeps it, and returns what importing would change. */
  prepare(dbName: string, file: Blob & { name?: string }): Promise<Outcome<ImportPlan>>;
  /** Writes the prepared backup (one transaction) and forgets it. */
  commit(mode: 'replace' | 'merge'): Promise<Outcome<ImportResult>>;
  /** Forgets the prepared backup (the learner cancelled). */
  discard(): Promise<void>;
  /** The whole database as a JSON Blob. */
  exportBlob(dbName: string): Promise<Outcome<{ blob: Blob; bytes: number }>>;
}

/** The API; `open` is injectable for tests (fake-indexeddb). */
export function createBackupApi(open: (name: string) => LabDB = (name) => openLabDB(name)): BackupApi {
  let db: LabDB | null = null;
  let dbName = '';
  let pending: ParsedBackup | null = null;
  const use = (name: string): LabDB => {
    if (!db || dbName !== name) {
      db?.close();
      db = open(name);
      dbName = name;
    }
    return db;
  };
  const run = async <T>(fn: () => Promise<T>): Promise<Outcome<T>> => {
    try {
      return { ok: true, value: await fn() };
    } catch (e) {
      return { ok: false, error: toErrorData(e) };
    }
  };
  return {
    prepare: (name, file) =>
      run(async () => {
        pending = null;
        if (file.size > MAX_BACKUP_BYTES) throw new BackupFormatError(`This file is larger than ${MAX_BACKUP_BYTES / 2 ** 20} MB, so it is not a backup this app made.`);
        const d = use(name);
        const parsed = parseBackup(await file.text(), d);
        const plan = await planImport(d, parsed);
        pending = parsed;
        return plan;
      }),
    commit: (mode) =>
      run(async () => {
        if (!pending || !db) throw new BackupFormatError('There is no checked backup to import; choose the file again.');
        const parsed = pending;
        pending = null;
        return importAll(db, parsed, mode);
      }),
    async discard() {
      pending = null;
    },
    exportBlob: (name) =>
      run(async () => {
        const json = backupToJson(await exportAll(use(name)));
        return { blob: new Blob([json], { type: 'application/json' }), bytes: json.length };
      }),
  };
}
