import * as v from 'valibot';
import { defineLab } from '../types';

const schema = v.object({
  requests: v.pipe(v.number(), v.integer(), v.minValue(2), v.maxValue(32)),
  gap: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(20)),
  maxBatch: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(16)),
  seed: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 31 - 1)),
  sharedPrefix: v.boolean(),
});

export type ServingState = v.InferOutput<typeof schema>;

export default defineLab({
  id: 'serving',
  topic: '3.1',
  title: 'A serving engine: static vs continuous batching over a paged KV cache',
  summary: 'Serve a seeded stream of requests with TinyLM, several sequences per forward pass, the KV cache in 16-token blocks: throughput, time to first token, time per output token and block utilisation, static vs continuous batching.',
  tasks: ['3.1.d'],
  schema,
  defaults: (): ServingState => ({ requests: 12, gap: 2, maxBatch: 4, seed: 1, sharedPrefix: true }),
  component: () => import('./ServingLab.svelte'),
});
