import * as v from 'valibot';
import { defineLab } from '../types';

const num = v.pipe(v.number(), v.minValue(-10), v.maxValue(10));
const schema = v.object({
  x1: num, x2: num, w1: num, w2: num, b: num, y: num,
  /** learning rate of the gradient step (optional: older links lack it) */
  lr: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(2)), 0.1),
});

export type BackpropState = v.InferOutput<typeof schema>;

export default defineLab({
  id: 'backprop-steps',
  topic: '1.0',
  title: 'Backpropagation, one step at a time',
  summary: 'One neuron as a computation graph: step through the forward pass, then the backward pass, with every number shown.',
  tasks: ['1.0.b'],
  schema,
  defaults: (): BackpropState => ({ x1: 2, x2: 0, w1: -3, w2: 1, b: 6.8814, y: 1, lr: 0.1 }),
  component: () => import('./BackpropLab.svelte'),
});
