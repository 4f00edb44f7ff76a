/**
 * One way for the page to use a worker (see protocol.ts for the rules, client.ts for the page
 * side, serve.ts for the worker side). A new worker: declare its API as a plain object in
 * `src/lib/<area>`, serve it from a thin `workers/<name>.worker.ts`, and create a client where
 * the lab or engine needs it.
 */
export { createWorkerClient, lifelineName, watchLifeline, type CallFn, type CallOptions, type WorkerClient, type WorkerClientOptions, type WorkerLike } from './client';
export { transfer, type CallContext } from './protocol';
