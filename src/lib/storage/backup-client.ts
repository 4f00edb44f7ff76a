/**
 * Page-side access to the backup worker: the worker starts on the first call; without workers
 * the same API runs on the page. Failures come back as LabErrors with their code and hint.
 */
import { wrap, type Remote } from 'comlink';
import { LabError, type LabErrorCode } from '../errors';
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
  let worker: Worker | null = null;
  let api: Promise<BackupApi | Remote<BackupApi>> | null = null;
  // rejects when the worker dies (e.g. out of memory on a huge file), so no call waits forever
  let died: Promise<never> = new Promise<never>(() => {});
  const get = () => {
    if (!api) {
      try {
        const w = new Worker(new URL('../../../workers/backup.worker.ts', import.meta.url), { type: 'module', name: 'backup' });
        worker = w;
        died = new Promise<never>((_, reject) => {
          w.addEventListener('error', (ev) => {
            ev.preventDefault();
            w.terminate();
            if (worker === w) {
              worker = null;
              api = null;
            }
            reject(new LabError('worker-crashed', 'The backup worker stopped unexpectedly (out of memory?).', 'Nothing was changed. Close other tabs, reload the page and try again.'));
          });
        });
        died.catch(() => {});
        api = Promise.resolve(wrap<BackupApi>(w));
      } catch {
        api = import('./backup-api').then((m) => m.createBackupApi());
      }
    }
    return api;
  };
  const unwrap = async <T>(p: Promise<Outcome<T>>): Promise<T> => {
    const r = await Promise.race([p, died]);
    if (r.ok) return r.value;
    const d = r.error;
    throw new LabError((d.code ?? 'unknown') as LabErrorCode, d.message, d.hint);
  };
  return {
    prepare: async (dbName, file) => unwrap((await get()).prepare(dbName, file)),
    commit: async (mode) => unwrap((await get()).commit(mode)),
    discard: async () => (await get()).discard(),
    exportBlob: async (dbName) => unwrap((await get()).exportBlob(dbName)),
    dispose() {
      worker?.terminate();
      worker = null;
      api = null;
    },
  };
}
