import * as v from 'valibot';
import { defineLab } from '../types';

const schema = v.object({
  beta: v.pipe(v.number(), v.minValue(0.01), v.maxValue(1)),
  steps: v.pipe(v.number(), v.integer(), v.minValue(5), v.maxValue(300)),
  lr: v.pipe(v.number(), v.minValue(1e-4), v.maxValue(2e-2)),
  rpoAlpha: v.pipe(v.number(), v.minValue(0), v.maxValue(2)),
  nPairs: v.pipe(v.number(), v.integer(), v.minValue(8), v.maxValue(512)),
});

export type AlignState = v.InferOutput<typeof schema>;

export default defineLab({
  id: 'align-dpo',
  topic: '2.3',
  title: 'Align the chat model by DPO',
  summary: 'The chat model invents answers the context does not contain. Preference pairs and a LoRA adapter trained by DPO teach it to say so, measured by a program on held-out prompts.',
  tasks: ['2.3.a', '2.3.c'],
  schema,
  defaults: (): AlignState => ({ beta: 0.1, steps: 60, lr: 0.003, rpoAlpha: 0.3, nPairs: 256 }),
  component: () => import('./AlignLab.svelte'),
});
