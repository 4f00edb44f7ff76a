/**
 * Page-side access to the backup worker, through the one worker client (src/lib/rpc): the
 * worker starts on the first call; without workers the same API runs on the page; a worker that
 * dies (e.g. out of memory on a huge file) fails the pending call with 'worker-crashed'.
 * Failures come back as LabErrors with their code and hint.
 */
import { LabError, type LabErrorCode } from '../errors';
import { createWorkerClient } from '../rpc/client';
import type { BackupApi, Outcome } from './backup-api';
import type { ImportPlan, ImportResult } from './backup';

export interface BackupClient {
  prepare(dbName: string, file: File): Promise<ImportPlan>;
  commit(mode: 'replace' | 'merge'): Promise<ImportResult>;
  discard(): Promise<void>;
  exportBlob(dbName: string): Promise<{ blob: Blob; bytes: number }>;
  dispose(): void;
}

/** Creates a lazily started client of `workers/backup.worker.ts`. */
export function createBackupClient(): BackupClient {
  const client = createWorkerClient<BackupApi>({
    label: 'backup',
    start: (name) => new Worker(new URL('../../../workers/backup.worker.ts', import.meta.url), { type: 'module', name }),
    // loaded only if needed: the page keeps the backup code out of its own chunks
    inPage: async () => (await import('./backup-api')).createBackupApi(),
  });
  const unwrap = async <T>(p: Promise<Outcome<T>>): Promise<T> => {
    const r = await p.catch((e: unknown) => {
      if (e instanceof LabError && e.code === 'worker-crashed') {
        throw new LabError('worker-crashed', 'The backup worker stopped unexpectedly (out of memory?).', 'Nothing was changed. Close other tabs, reload the page and try again.', { cause: e });
      }
      throw e;
    });
    if (r.ok) return r.value;
    const d = r.error;
    throw new LabError((d.code ?? 'unknown') as LabErrorCode, d.message, d.hint);
  };
  return {
    prepare: (dbName, file) => unwrap(client.call('prepare', [dbName, file])),
    commit: (mode) => unwrap(client.call('commit', [mode])),
    discard: () => client.call('discard', []),
    exportBlob: (dbName) => unwrap(client.call('exportBlob', [dbName])),
    dispose: () => client.dispose(),
  };
}
