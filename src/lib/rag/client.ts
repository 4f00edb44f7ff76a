/**
 * The page's client of the RAG worker (`workers/rag.worker.ts`), through the one worker client
 * (src/lib/rpc): started on first use, the same API in-page where workers are unavailable.
 * Each lab creates its own and disposes it with the lab.
 */
import { createWorkerClient, type WorkerClient } from '../rpc/client';
import { createRagApi, type RagApi } from './worker-api';

export type RagClient = WorkerClient<RagApi>;

/** A lazily started RAG worker client. */
export function createRagClient(): RagClient {
  return createWorkerClient<RagApi>({
    label: 'RAG',
    start: (name) => new Worker(new URL('../../../workers/rag.worker.ts', import.meta.url), { type: 'module', name }),
    inPage: async () => {
      const [{ pdfjsLoader }, { voyWasmBytes }] = await Promise.all([import('./pdf-browser'), import('./voy-browser')]);
      return createRagApi({ loadPdfjs: pdfjsLoader(), voyWasm: voyWasmBytes });
    },
  });
}
