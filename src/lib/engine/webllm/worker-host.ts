/**
 * The app-side half of `workers/llm.worker.ts`: starts the worker and wraps it in web-llm's
 * `WebWorkerMLCEngine`. Loaded only through a dynamic `import()` by the adapter, and web-llm
 * itself only through a dynamic `import()` here, so neither enters the main chunk.
 */
import { EngineError } from '../errors';
import type { MLCEngineLike, WebLLMHost, WebLLMHostFactory } from './adapter';

/** Starts a web-llm worker (nothing is downloaded until `reload`). */
export const createWorkerHost: WebLLMHostFactory = async ({ initProgressCallback }) => {
  const webllm = await import('@mlc-ai/web-llm');
  const worker = new Worker(new URL('../../../../workers/llm.worker.ts', import.meta.url), { type: 'module', name: 'llm' });
  let fail!: (e: EngineError) => void;
  const crashed = new Promise<never>((_, reject) => (fail = reject));
  crashed.catch(() => {});
  worker.addEventListener('error', (ev) => {
    fail(
      new EngineError(
        'worker-crashed',
        `The WebLLM worker stopped: ${ev.message || 'it could not start or crashed'}.`,
        'Reload the page. If it happens on every load, the browser may lack module workers or WebGPU in workers.',
      ),
    );
  });
  const engine = new webllm.WebWorkerMLCEngine(worker, { initProgressCallback });
  const host: WebLLMHost = {
    engine: engine as unknown as MLCEngineLike,
    terminate: () => worker.terminate(),
    crashed,
  };
  return host;
};

/** Cache operations on web-llm's model cache (Cache API), loaded on demand. */
export async function webllmCacheOps(): Promise<{
  has(modelId: string): Promise<boolean>;
  remove(modelId: string): Promise<void>;
}> {
  const webllm = await import('@mlc-ai/web-llm');
  return {
    has: (id) => webllm.hasModelInCache(id),
    remove: (id) => webllm.deleteModelAllInfoInCache(id),
  };
}
