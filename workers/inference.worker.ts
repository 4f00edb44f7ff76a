/** Inference-optimisation labs off the main thread (thin: serves src/lib/inference/api through src/lib/rpc). */
import { createInferenceApi } from '../src/lib/inference/api';
import { serve } from '../src/lib/rpc/serve';
import { loadTinyLM } from '../src/lib/tinylm/checkpoint';

serve(createInferenceApi((baseUrl) => loadTinyLM(baseUrl)));
