import * as v from 'valibot';
import { defineLab } from '../types';

const schema = v.object({
  requests: v.pipe(v.number(), v.integer(), v.minValue(2), v.maxValue(32)),
  gap: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(20)),
  maxBatch: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(16)),
  seed: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 31 - 1)),
  sharedPrefix: v.boolean(),
  /** the concurrent-clients panel's workload (optional: older links lack it); the defaults are the bench's */
  endpoint: v.optional(
    v.object({
      kind: v.picklist(['story', 'chat']),
      n: v.pipe(v.number(), v.integer(), v.minValue(2), v.maxValue(16)),
      maxTokens: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(120)),
    }),
    () => ({ ...ENDPOINT_DEFAULTS }),
  ),
});

/** The same workload as `npm run bench inference`'s endpoint figures (DEFAULT_ENDPOINT; a test checks). */
export const ENDPOINT_DEFAULTS = { kind: 'story', n: 8, maxTokens: 48 } as const;

export type ServingState = v.InferOutput<typeof schema>;

export default defineLab({
  id: 'serving',
  topic: '3.1',
  title: 'A serving engine: static vs continuous batching over a paged KV cache',
  summary: 'Serve a seeded stream of requests with TinyLM, several sequences per forward pass, the KV cache in 16-token blocks: throughput, time to first token, time per output token and block utilisation, static vs continuous batching.',
  tasks: ['3.1.d'],
  schema,
  defaults: (): ServingState => ({ requests: 12, gap: 2, maxBatch: 4, seed: 1, sharedPrefix: true, endpoint: { ...ENDPOINT_DEFAULTS } }),
  component: () => import('./ServingLab.svelte'),
});
