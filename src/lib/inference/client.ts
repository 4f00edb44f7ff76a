/**
 * Page-side access to the inference worker (`workers/inference.worker.ts`). Each lab creates its
 * own client (no module-level state); the worker starts on the first request. If workers are
 * unavailable the same API runs on the page. Framework-free.
 */
import { proxy, wrap, type Remote } from 'comlink';
import type { InferenceApi } from './api';

export interface InferenceClient {
  api(): Promise<InferenceApi | Remote<InferenceApi>>;
  /** wraps a callback so it can cross to the worker */
  callback<T extends (...a: never[]) => unknown>(fn: T): T;
  /** the base URL of a shipped model, resolved against the page */
  modelUrl(id: string): string;
  dispose(): void;
}

/** Creates a lazily started client of the inference worker. */
export function createInferenceClient(): InferenceClient {
  let worker: Worker | null = null;
  let api: Promise<InferenceApi | Remote<InferenceApi>> | null = null;
  let inPage = false;
  const fallback = async (): Promise<InferenceApi> => {
    inPage = true;
    const [{ createInferenceApi }, { loadTinyLM }] = await Promise.all([import('./api'), import('../tinylm/checkpoint')]);
    return createInferenceApi((url) => loadTinyLM(url));
  };
  return {
    api() {
      if (!api) {
        try {
          worker = new Worker(new URL('../../../workers/inference.worker.ts', import.meta.url), { type: 'module' });
          api = Promise.resolve(wrap<InferenceApi>(worker));
        } catch {
          api = fallback();
        }
      }
      return api;
    },
    callback(fn) {
      return (inPage ? fn : proxy(fn)) as typeof fn;
    },
    modelUrl(id) {
      const doc = typeof document !== 'undefined' ? document.baseURI : (globalThis.location?.href ?? '/');
      // BASE_URL is './' in the build (relative to index.html) and '/' under the dev/test server.
      return new URL((import.meta.env?.BASE_URL ?? './') + `models/${id}/`, doc).href;
    },
    dispose() {
      worker?.terminate();
      worker = null;
      api = null;
    },
  };
}
