/**
 * The page's client of the fine-tuning worker (`workers/finetune.worker.ts`), through the one worker
 * client (src/lib/rpc): started on first use, the same service in-page where workers are
 * unavailable (slower; the page stays busy while training). Each lab creates its own and disposes
 * it with the lab.
 */
import { createWorkerClient, type CallFn, type WorkerClient } from '../rpc/client';
import type { FinetuneApi } from './service';

/** A lazily started fine-tuning worker client; `onStart` restores a fresh worker's state (after a crash). */
export function createFinetuneClient(onStart: (call: CallFn<FinetuneApi>) => Promise<void>): WorkerClient<FinetuneApi> {
  return createWorkerClient<FinetuneApi>({
    label: 'fine-tuning',
    start: (name) => new Worker(new URL('../../../workers/finetune.worker.ts', import.meta.url), { type: 'module', name }),
    inPage: async () => {
      const [{ createFinetuneService }, { loadTinyLM }] = await Promise.all([import('./service'), import('../tinylm/checkpoint')]);
      return createFinetuneService((url) => loadTinyLM(url));
    },
    onStart,
  });
}
