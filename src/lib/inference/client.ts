/**
 * Page-side access to the inference worker (`workers/inference.worker.ts`) through the one worker
 * client (src/lib/rpc). Each lab creates its own client (no module-level state); the worker starts
 * on the first request, the same API runs on the page where workers are unavailable, a worker that
 * died fails its calls with 'worker-crashed' and is replaced on the next call by one that reloads
 * the models the old one had. Framework-free.
 */
import { shippedModelUrl } from '../tinylm/shipped-url';
import { createWorkerClient } from '../rpc/client';
import type { KvDecodeResult, KvPoint } from './kv-measure';
import type { QuantRequest, QuantRow } from './quant-measure';
import type { BatchPolicy, StepStat } from './scheduler';
import type { ServingComparison, ServingRequest } from './serving-measure';
import type { InferenceApi, PromptFormat } from './api';

/** What the labs call: the worker's API, with progress as a plain callback. */
export type InferenceCalls = Omit<InferenceApi, 'kvDecode' | 'quantize' | 'serving'> & {
  kvDecode(id: string, format: PromptFormat, prompt: string, maxTokens: number, onPoints?: (pts: KvPoint[]) => void): Promise<KvDecodeResult>;
  quantize(id: string, req: QuantRequest, onRow?: (row: QuantRow) => void): Promise<QuantRow[]>;
  serving(id: string, req: ServingRequest, onStep?: (policy: BatchPolicy, s: StepStat) => void): Promise<ServingComparison>;
};

export interface InferenceClient {
  api(): Promise<InferenceCalls>;
  /** Kept for the labs' call sites: callbacks need no wrapping any more. */
  callback<T extends (...a: never[]) => unknown>(fn: T): T;
  /** the base URL of a shipped model, resolved against the page */
  modelUrl(id: string): string;
  dispose(): void;
}

/** Creates a lazily started client of the inference worker. */
export function createInferenceClient(): InferenceClient {
  /** models loaded so far (id → base URL), reloaded into a fresh worker */
  const loaded = new Map<string, string>();
  const client = createWorkerClient<InferenceApi>({
    label: 'inference',
    start: (name) => new Worker(new URL('../../../workers/inference.worker.ts', import.meta.url), { type: 'module', name }),
    inPage: async () => {
      const [{ createInferenceApi }, { loadTinyLM }] = await Promise.all([import('./api'), import('../tinylm/checkpoint')]);
      return createInferenceApi((url) => loadTinyLM(url));
    },
    onStart: async (call) => {
      for (const [id, url] of loaded) await call('load', [id, url]);
    },
  });
  const calls: InferenceCalls = {
    load: async (id, baseUrl) => {
      const info = await client.call('load', [id, baseUrl]);
      loaded.set(id, baseUrl);
      return info;
    },
    speculative: (...a) => client.call('speculative', a),
    specSweep: (...a) => client.call('specSweep', a),
    kvDecode: (id, format, prompt, maxTokens, onPoints) => client.call('kvDecode', [id, format, prompt, maxTokens], { onProgress: onPoints }),
    quantize: (id, req, onRow) => client.call('quantize', [id, req], { onProgress: onRow }),
    gguf: (...a) => client.call('gguf', a),
    serving: (id, req, onStep) => client.call('serving', [id, req], { onProgress: onStep && ((p) => onStep(p.policy, p.s)) }),
  };
  return {
    api: async () => calls,
    callback: (fn) => fn,
    modelUrl: shippedModelUrl,
    dispose() {
      client.dispose();
    },
  };
}
