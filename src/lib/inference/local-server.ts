/**
 * The app's own OpenAI-compatible server: the handler of `openai-server.ts` over TinyLM. Chat and
 * embeddings run in TinyLM's engine worker (the page stays responsive); `/v1/completions` (raw text,
 * no chat template) loads the checkpoint on the page the first time it is asked for. Created on
 * demand by whoever answers `/v1/*` (the service-worker relay, or the serving lab in-page).
 */
import { createOpenAIHandler, tinyLMCompleter } from './openai-server';
import { createTinyLMWorkerEngine, defaultModelsBaseUrl } from '../engine/worker-engine';
import { tinyLMCatalog } from '../engine/tinylm-models';
import type { LoadedTinyLM } from '../engine/tinylm-engine';

export type OpenAIHandler = (req: Request) => Promise<Response>;

/** Creates the local server (nothing loads until the first request). */
export function createLocalOpenAIServer(modelsBaseUrl = defaultModelsBaseUrl()): { handler: OpenAIHandler; dispose: () => Promise<void> } {
  const engine = createTinyLMWorkerEngine({ modelsBaseUrl });
  const catalog = tinyLMCatalog(modelsBaseUrl);
  const loaded = new Map<string, Promise<LoadedTinyLM>>();
  const get = (id: string) => {
    let p = loaded.get(id);
    if (!p) {
      p = catalog.loader(id);
      loaded.set(id, p);
      p.catch(() => loaded.delete(id));
    }
    return p;
  };
  // TinyLM's runner returns several choices (n) in one request; 4 keeps a request short.
  const handler = createOpenAIHandler({ engine, models: catalog.models, completer: tinyLMCompleter(get), maxN: 4 });
  return { handler, dispose: () => engine.unload() };
}

let shared: OpenAIHandler | null = null;

/**
 * The page's one local server, shared by the service-worker relay and the serving lab (one
 * TinyLM worker, created on first use and kept while the page lives).
 */
export function sharedLocalOpenAIHandler(): OpenAIHandler {
  shared ??= createLocalOpenAIServer().handler;
  return shared;
}
