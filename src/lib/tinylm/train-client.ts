/**
 * The page's client of the TinyLM training worker (`workers/tinylm-train.worker.ts`), through
 * src/lib/rpc: `client.call('train', [req], { onProgress, signal, cancel: 'finish' })` trains
 * off the main thread and resolves with the weights (cancelled runs too); the same service runs
 * in-page where workers are unavailable; a worker that dies fails the run with 'worker-crashed'.
 */
import { createWorkerClient, type WorkerClient } from '../rpc/client';
import { createTrainService, type TinyLMTrainApi } from './train-service';

export type TrainClient = WorkerClient<TinyLMTrainApi>;

/** A lazily started training worker client. */
export function createTrainClient(): TrainClient {
  return createWorkerClient<TinyLMTrainApi>({
    label: 'TinyLM training',
    start: (name) => new Worker(new URL('../../../workers/tinylm-train.worker.ts', import.meta.url), { type: 'module', name }),
    inPage: createTrainService,
  });
}
