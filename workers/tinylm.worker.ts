/**
 * TinyLM's worker: the TinyLM ChatEngine (src/lib/engine/tinylm-engine.ts) served through the
 * engine worker protocol (src/lib/engine/worker-protocol.ts, over src/lib/rpc). The app side is
 * `createTinyLMWorkerEngine()` in src/lib/engine/worker-engine.ts.
 */
import { createTinyLMEngine } from '../src/lib/engine/tinylm-engine';
import { tinyLMCatalog } from '../src/lib/engine/tinylm-models';
import { hostEngine } from '../src/lib/engine/worker-protocol';
import { serve } from '../src/lib/rpc/serve';

serve(
  hostEngine((options) => {
    const { models, loader } = tinyLMCatalog(String(options.modelsBaseUrl ?? new URL('models/', self.location.href).href), {
      includeRandomModel: options.includeRandomModel === true,
      // LoRA adapters saved by the fine-tuning lab appear as "<base>+<row id>" models.
      adapters: async () => (await import('../src/lib/storage/db')).openLabDB().modelBlobs.where('kind').equals('lora').toArray(),
    });
    return createTinyLMEngine({ models, loader, defaultModel: typeof options.defaultModel === 'string' ? options.defaultModel : 'tinylm-chat' });
  }),
);
