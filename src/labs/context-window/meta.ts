import * as v from 'valibot';
import { defineLab } from '../types';

const schema = v.object({
  model: v.pipe(v.string(), v.maxLength(80)),
  precision: v.picklist(['f32', 'f16', 'q8_0', 'q4f16_1', 'q3']),
  kvDtype: v.picklist(['f32', 'f16', 'q8']),
  /** log2 of the context length on the slider */
  context: v.pipe(v.number(), v.integer(), v.minValue(64), v.maxValue(1_048_576)),
  batch: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(64)),
  /** GiB; 0 = use what the device panel reports */
  budgetGiB: v.pipe(v.number(), v.minValue(0), v.maxValue(1024)),
  overflowExtra: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(512)),
});

export type ContextWindowState = v.InferOutput<typeof schema>;

export default defineLab({
  id: 'context-window',
  topic: '1.1',
  title: 'Context window vs model size',
  summary: 'Weight memory at each precision, KV-cache memory at each context length, what fits on this device — and what a model does past its window.',
  tasks: ['1.1.b'],
  schema,
  defaults: (): ContextWindowState => ({ model: 'Llama-3.2-1B-Instruct', precision: 'q4f16_1', kvDtype: 'f16', context: 4096, batch: 1, budgetGiB: 0, overflowExtra: 32 }),
  component: () => import('./ContextWindowLab.svelte'),
});
