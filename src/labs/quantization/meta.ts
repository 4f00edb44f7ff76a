import * as v from 'valibot';
import { defineLab } from '../types';

const schema = v.object({
  model: v.picklist(['tinylm-base', 'tinylm-chat']),
  /** Held-out stories (tinylm-base) or conversations (tinylm-chat) for perplexity (more = steadier figures, slower). */
  evalStories: v.pipe(v.number(), v.integer(), v.minValue(8), v.maxValue(100)),
});

export type QuantizationState = v.InferOutput<typeof schema>;

export default defineLab({
  id: 'quantization',
  topic: '3.1',
  title: 'Quantization: TinyLM in 32, 16, 8 and 4 bits, NF4 and AWQ',
  summary: 'Quantize every weight matrix of TinyLM to F16, Q8_0, Q4_0 (plain and AWQ), NF4, round-to-nearest int4 and AWQ int4, then measure size, bits per weight, held-out perplexity in the model’s own format, agreement with F32 and decode speed — and save the GGUF types for llama.cpp.',
  tasks: ['3.1.a'],
  schema,
  defaults: (): QuantizationState => ({ model: 'tinylm-base', evalStories: 24 }),
  component: () => import('./QuantizationLab.svelte'),
});
