/**
 * WebLLM's worker: hosts web-llm's own `WebWorkerMLCEngineHandler`, which runs the model on the
 * GPU and answers `WebWorkerMLCEngine` (see src/lib/engine/webllm/worker-host.ts). web-llm is
 * imported dynamically so the worker starts fast; messages that arrive before it is ready wait.
 * It holds its lifeline lock (src/lib/rpc) so the page notices if it dies.
 */
import { holdLifeline } from '../src/lib/rpc/serve';

void holdLifeline().then((name) => {
  if (name) self.postMessage({ lifeline: name });
});
let handler: { onmessage(ev: MessageEvent): void } | null = null;
const queue: MessageEvent[] = [];

const ready = import('@mlc-ai/web-llm').then((webllm) => {
  handler = new webllm.WebWorkerMLCEngineHandler();
  for (const ev of queue.splice(0)) handler.onmessage(ev);
});
ready.catch((e: unknown) => {
  // Surfaces as the worker's `error` event on the app side (→ EngineError 'worker-crashed').
  setTimeout(() => {
    throw e;
  });
});

self.onmessage = (ev: MessageEvent) => {
  if (handler) handler.onmessage(ev);
  else queue.push(ev);
};
