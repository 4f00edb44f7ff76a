import * as v from 'valibot';
import { defineLab } from '../types';

const schema = v.object({
  pii: v.boolean(),
  exactDedup: v.boolean(),
  nearDedup: v.boolean(),
  bands: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(50)),
  rows: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(20)),
  threshold: v.pipe(v.number(), v.minValue(0.1), v.maxValue(1)),
  gopher: v.boolean(),
  minWords: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100)),
  maxTokens: v.pipe(v.number(), v.integer(), v.minValue(16), v.maxValue(4096)),
  valPercent: v.pipe(v.number(), v.minValue(0), v.maxValue(50)),
  /** Steps of each raw/curated run; optional so states saved before it existed stay valid (100 = COMPARE_STEPS, checked by a test). */
  compareSteps: v.optional(v.pipe(v.number(), v.integer(), v.minValue(5), v.maxValue(400)), 100),
});

export type CurationState = v.InferOutput<typeof schema>;

export default defineLab({
  id: 'sft-curation',
  topic: '2.2',
  title: 'Curating SFT data',
  summary: 'Clean a dirty instruction dataset (or your own JSONL/CSV): chat template and loss mask, length against the window, duplicates, quality rules, PII, split — then fine-tune on raw vs curated rows and compare.',
  tasks: ['2.2.d'],
  schema,
  defaults: (): CurationState => ({ pii: true, exactDedup: true, nearDedup: true, bands: 20, rows: 5, threshold: 0.7, gopher: true, minWords: 5, maxTokens: 256, valPercent: 10, compareSteps: 100 }),
  component: () => import('./CurationLab.svelte'),
});
