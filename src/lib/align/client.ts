/**
 * The page's client of the alignment worker (`workers/align.worker.ts`: DPO, the reward model and
 * GRPO), through the one worker client (src/lib/rpc): started on first use, the same service
 * in-page where workers are unavailable. Each lab creates its own and disposes it with the lab.
 */
import { createWorkerClient, type CallFn, type WorkerClient } from '../rpc/client';
import type { AlignApi } from './service';

/** A lazily started align worker client; `onStart` restores a fresh worker's state (after a crash). */
export function createAlignClient(label: string, onStart: (call: CallFn<AlignApi>) => Promise<void>): WorkerClient<AlignApi> {
  return createWorkerClient<AlignApi>({
    label,
    start: (name) => new Worker(new URL('../../../workers/align.worker.ts', import.meta.url), { type: 'module', name }),
    inPage: async () => {
      const [{ createAlignService }, { loadTinyLM }] = await Promise.all([import('./service'), import('../tinylm/checkpoint')]);
      return createAlignService((url) => loadTinyLM(url));
    },
    onStart,
  });
}
