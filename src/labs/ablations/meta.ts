import * as v from 'valibot';
import { defineLab } from '../types';
import { OOD_EXAMPLE } from './held-out';

const layers = v.pipe(v.array(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(31))), v.maxLength(32));
const schema = v.object({
  prompt: v.pipe(v.string(), v.maxLength(400)),
  heads: v.pipe(v.array(v.tuple([v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(31)), v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(31))])), v.maxLength(256)),
  attention: layers,
  ffn: layers,
  norms: layers,
  residual: layers,
  finalNorm: v.boolean(),
  trainSteps: v.pipe(v.number(), v.integer(), v.minValue(10), v.maxValue(400)),
  /** the learner's own text for the out-of-distribution measurement (optional: older links lack it) */
  ood: v.optional(v.pipe(v.string(), v.maxLength(2000)), OOD_EXAMPLE),
});

export type AblationsState = v.InferOutput<typeof schema>;

export default defineLab({
  id: 'ablations',
  topic: '2.1',
  title: 'Why norms, feed-forward and residuals? Switch them off',
  summary: 'Remove heads, residuals, norms or feed-forward blocks from TinyLM and watch predictions and the loss on held-out stories change; see how far the loss jumps on text unlike the training data; then train tiny models with and without residuals and norms.',
  tasks: ['2.1.c'],
  schema,
  defaults: (): AblationsState => ({
    prompt: 'One day, a little boy named Ben went to the park. He saw a big', heads: [], attention: [], ffn: [], norms: [], residual: [], finalNorm: false, trainSteps: 60, ood: OOD_EXAMPLE,
  }),
  component: () => import('./AblationsLab.svelte'),
});
