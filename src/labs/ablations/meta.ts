import * as v from 'valibot';
import { defineLab } from '../types';

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
});

export type AblationsState = v.InferOutput<typeof schema>;

export default defineLab({
  id: 'ablations',
  topic: '2.1',
  title: 'Why norms, feed-forward and residuals? Switch them off',
  summary: 'Remove heads, residuals, norms or feed-forward blocks from TinyLM and watch predictions and held-out loss change; then train tiny models with and without residuals and norms.',
  tasks: ['2.1.c'],
  schema,
  defaults: (): AblationsState => ({
    prompt: 'One day, a little boy named Ben went to the park. He saw a big', heads: [], attention: [], ffn: [], norms: [], residual: [], finalNorm: false, trainSteps: 60,
  }),
  component: () => import('./AblationsLab.svelte'),
});
