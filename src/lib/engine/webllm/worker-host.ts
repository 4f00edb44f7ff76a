/**
 * The app-side half of `workers/llm.worker.ts`: starts the worker and talks to web-llm's handler
 * in it through our protocol client (`./worker-client.ts`, the same messages as web-llm's own
 * `WebWorkerMLCEngine`), so the page does not load web-llm's 6 MB bundle at all — only the worker
 * does. Loaded through a dynamic `import()` by the adapter.
 *
 * The messages are web-llm's, but the worker's life is watched as every worker's is (src/lib/rpc):
 * an `error` event or its lifeline lock being released fails every request in flight with
 * 'worker-crashed', and the adapter starts a fresh worker on the next load.
 */
import { lifelineName, watchLifeline } from '../../rpc/client';
import { EngineError } from '../errors';
import type { WebLLMHost, WebLLMHostFactory } from './adapter';
import { WebLLMWorkerClient } from './worker-client';

/** Starts a web-llm worker (nothing is downloaded until `reload`). */
export const createWorkerHost: WebLLMHostFactory = async ({ initProgressCallback }) => {
  const name = lifelineName('WebLLM');
  const worker = new Worker(new URL('../../../../workers/llm.worker.ts', import.meta.url), { type: 'module', name });
  const stopWatching = new AbortController();
  let fail!: (e: EngineError) => void;
  const crashed = new Promise<never>((_, reject) => (fail = reject));
  crashed.catch(() => {});
  const engine = new WebLLMWorkerClient(worker as unknown as ConstructorParameters<typeof WebLLMWorkerClient>[0], initProgressCallback);
  let dead = false;
  const die = (detail: string) => {
    if (dead) return;
    dead = true;
    stopWatching.abort();
    worker.terminate();
    const e = new EngineError(
      'worker-crashed',
      `The WebLLM worker stopped${detail ? `: ${detail}` : ''}.`,
      'Load the model again (a fresh worker starts). If it happens on every load, the browser may lack module workers or WebGPU in workers, or be short of GPU memory.',
    );
    fail(e);
    engine.failAll(e);
  };
  worker.addEventListener('error', (ev) => die(ev.message || 'it could not start or crashed'));
  worker.addEventListener('messageerror', () => die('a message could not be read'));
  // The worker says when it holds its lifeline lock; from then on its death in any form is seen.
  worker.addEventListener('message', (ev: MessageEvent) => {
    if ((ev.data as { lifeline?: unknown } | null)?.lifeline === name) watchLifeline(name, stopWatching.signal, () => die(''));
  });
  const host: WebLLMHost = {
    engine,
    terminate: () => {
      dead = true;
      stopWatching.abort();
      worker.terminate();
      engine.failAll('AbortError: Engine.unload() is called.');
    },
    crashed,
  };
  return host;
};
