import * as v from 'valibot';
import { defineLab } from '../types';

const schema = v.object({
  pattern: v.picklist(['sequential', 'concurrent', 'race', 'timeout']),
  fastMs: v.pipe(v.number(), v.integer(), v.minValue(10), v.maxValue(400)),
  slowMs: v.pipe(v.number(), v.integer(), v.minValue(10), v.maxValue(400)),
  timeoutMs: v.pipe(v.number(), v.integer(), v.minValue(100), v.maxValue(5000)),
  /** the learner's prediction of the total time in ms (optional: older links lack it) */
  prediction: v.optional(v.nullable(v.pipe(v.number(), v.minValue(0), v.maxValue(100_000))), null),
});

export type AsyncStreamsState = v.InferOutput<typeof schema>;

export default defineLab({
  id: 'async-streams',
  topic: '1.0',
  title: 'Two model calls at once: async, cancellation, timeouts',
  summary: 'Stream two calls sequentially, concurrently, as a race and under a deadline; the same code in TypeScript and Python.',
  tasks: ['1.0.a'],
  schema,
  defaults: (): AsyncStreamsState => ({ pattern: 'concurrent', fastMs: 60, slowMs: 140, timeoutMs: 1200, prediction: null }),
  component: () => import('./AsyncStreamsLab.svelte'),
});
