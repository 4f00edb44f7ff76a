/** The page's client of the NN playground's worker (`workers/playground.worker.ts`), through src/lib/rpc. */
import { createWorkerClient, type WorkerClient } from '../rpc/client';
import { createPlaygroundApi, type PlaygroundApi } from './api';

export type PlaygroundClient = WorkerClient<PlaygroundApi>;

/** A lazily started playground worker client (the same trainer in-page where workers are unavailable). */
export function createPlaygroundClient(): PlaygroundClient {
  return createWorkerClient<PlaygroundApi>({
    label: 'playground',
    start: (name) => new Worker(new URL('../../../workers/playground.worker.ts', import.meta.url), { type: 'module', name }),
    inPage: createPlaygroundApi,
  });
}
