/**
 * Page-side access to the inspect worker (`workers/inspect.worker.ts`) through the one worker
 * client (src/lib/rpc). Each call site creates its own client (no module-level state); the
 * worker starts on the first request, the same API runs on the page where workers are
 * unavailable, and a worker that died is replaced by one that reloads the models the old one had.
 * Framework-free.
 */
import { createWorkerClient } from '../rpc/client';
import type { CurvePoint, Variant } from './experiments';
import type { InspectApi } from './api';

/** What the labs call: the worker's API, with training progress as a callback and cancel by run id. */
export type InspectCalls = Omit<InspectApi, 'trainVariants'> & {
  trainVariants(id: string, text: string, variants: Variant[], steps: number, runId: number, onProgress: (pts: CurvePoint[]) => void): Promise<CurvePoint[]>;
  /** Stops the training run `runId` (it resolves with the points so far). */
  cancel(runId: number): Promise<void>;
};

export interface InspectClient {
  api(): Promise<InspectCalls>;
  /** Kept for the labs' call sites: callbacks need no wrapping any more. */
  callback<T extends (...a: never[]) => unknown>(fn: T): T;
  /** the base URL of a shipped model, resolved against the page */
  modelUrl(id: string): string;
  /** a file shipped in public/ (e.g. `corpora/stories.txt`), resolved against the page */
  assetUrl(path: string): string;
  dispose(): void;
}

/** Creates a lazily started client of `workers/inspect.worker.ts`. */
export function createInspectClient(): InspectClient {
  /** models loaded so far (id → base URL), reloaded into a fresh worker */
  const loaded = new Map<string, string>();
  const runs = new Map<number, AbortController>();
  const client = createWorkerClient<InspectApi>({
    label: 'TinyLM inspection',
    start: (name) => new Worker(new URL('../../../workers/inspect.worker.ts', import.meta.url), { type: 'module', name }),
    inPage: async () => {
      const [{ createInspectApi }, { loadTinyLM }] = await Promise.all([import('./api'), import('../tinylm/checkpoint')]);
      return createInspectApi((url) => loadTinyLM(url));
    },
    onStart: async (call) => {
      for (const [id, url] of loaded) await call('load', [id, url]);
    },
  });
  const calls: InspectCalls = {
    load: async (id, baseUrl) => {
      const summary = await client.call('load', [id, baseUrl]);
      loaded.set(id, baseUrl);
      return summary;
    },
    tokenize: (...a) => client.call('tokenize', a),
    nextLogits: (...a) => client.call('nextLogits', a),
    sample: (...a) => client.call('sample', a),
    trace: (...a) => client.call('trace', a),
    ablate: (...a) => client.call('ablate', a),
    heldOut: (...a) => client.call('heldOut', a),
    surprise: (...a) => client.call('surprise', a),
    lossByContext: (...a) => client.call('lossByContext', a),
    trainVariants: async (id, text, variants, steps, runId, onProgress) => {
      const ac = new AbortController();
      runs.set(runId, ac);
      try {
        // The worker stops at its next batch and returns what it has: collect progress for that case.
        const got: CurvePoint[] = [];
        const all = client.call('trainVariants', [id, text, variants, steps], {
          signal: ac.signal,
          onProgress: (pts) => {
            got.push(...pts);
            onProgress(pts);
          },
        });
        return await all.catch((e) => {
          if (ac.signal.aborted) return got;
          throw e;
        });
      } finally {
        runs.delete(runId);
      }
    },
    cancel: async (runId) => runs.get(runId)?.abort(),
  };
  return {
    api: async () => calls,
    callback: (fn) => fn,
    modelUrl(id) {
      return this.assetUrl(`models/${id}/`);
    },
    assetUrl(path) {
      const doc = typeof document !== 'undefined' ? document.baseURI : (globalThis.location?.href ?? '/');
      // BASE_URL is './' in the build (relative to index.html) and '/' under the dev/test server.
      return new URL((import.meta.env?.BASE_URL ?? './') + path, doc).href;
    },
    dispose() {
      client.dispose();
    },
  };
}
