/**
 * Page-side access to the inspect worker. Each call site creates its own client (no module-level
 * state); the worker starts on the first request. If workers are unavailable the same API runs
 * on the page. Framework-free.
 */
import { proxy, wrap, type Remote } from 'comlink';
import type { InspectApi } from './api';

export interface InspectClient {
  api(): Promise<InspectApi | Remote<InspectApi>>;
  /** wraps a callback so it can cross to the worker */
  callback<T extends (...a: never[]) => unknown>(fn: T): T;
  /** the base URL of a shipped model, resolved against the page */
  modelUrl(id: string): string;
  /** a file shipped in public/ (e.g. `corpora/stories.txt`), resolved against the page */
  assetUrl(path: string): string;
  dispose(): void;
}

/** Creates a lazily started client of `workers/inspect.worker.ts`. */
export function createInspectClient(): InspectClient {
  let worker: Worker | null = null;
  let api: Promise<InspectApi | Remote<InspectApi>> | null = null;
  let inPage = false;
  const fallback = async (): Promise<InspectApi> => {
    inPage = true;
    const [{ createInspectApi }, { loadTinyLM }] = await Promise.all([import('./api'), import('../tinylm/checkpoint')]);
    return createInspectApi((url) => loadTinyLM(url));
  };
  return {
    api() {
      if (!api) {
        try {
          worker = new Worker(new URL('../../../workers/inspect.worker.ts', import.meta.url), { type: 'module' });
          api = Promise.resolve(wrap<InspectApi>(worker));
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
      return this.assetUrl(`models/${id}/`);
    },
    assetUrl(path) {
      const doc = typeof document !== 'undefined' ? document.baseURI : (globalThis.location?.href ?? '/');
      // BASE_URL is './' in the build (relative to index.html) and '/' under the dev/test server.
      return new URL((import.meta.env?.BASE_URL ?? './') + path, doc).href;
    },
    dispose() {
      worker?.terminate();
      worker = null;
      api = null;
    },
  };
}
