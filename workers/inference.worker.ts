/** Inference-optimisation labs off the main thread (thin: exposes src/lib/inference over comlink). */
import { expose } from 'comlink';
import { createInferenceApi } from '../src/lib/inference/api';
import { loadTinyLM } from '../src/lib/tinylm/checkpoint';

expose(createInferenceApi((baseUrl) => loadTinyLM(baseUrl)));
