/**
 * The app-side half of `workers/llm.worker.ts`: starts the worker and talks to web-llm's handler
 * in it through our protocol client (`./worker-client.ts`, the same messages as web-llm's own
 * `WebWorkerMLCEngine`), so the page does not load web-llm's 6 MB bundle at all — only the worker
 * does. Loaded through a dynamic `import()` by the adapter.
 */
import { EngineError } from '../errors';
import type { WebLLMHost, WebLLMHostFactory } from './adapter';
import { WebLLMWorkerClient } from './worker-client';

/** Starts a web-llm worker (nothing is downloaded until `reload`). */
export const createWorkerHost: WebLLMHostFactory = async ({ initProgressCallback }) => {
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
  const engine = new WebLLMWorkerClient(worker as unknown as ConstructorParameters<typeof WebLLMWorkerClient>[0], initProgressCallback);
  const host: WebLLMHost = {
    engine,
    terminate: () => {
      worker.terminate();
      engine.failAll('AbortError: Engine.unload() is called.');
    },
    crashed,
  };
  return host;
};
