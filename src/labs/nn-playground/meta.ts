import * as v from 'valibot';
import { defineLab } from '../types';

const schema = v.object({
  dataset: v.picklist(['circle', 'xor', 'gauss', 'spiral']),
  noise: v.pipe(v.number(), v.minValue(0), v.maxValue(0.5)),
  hidden: v.pipe(v.array(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(8))), v.maxLength(4)),
  activation: v.picklist(['tanh', 'relu', 'sigmoid', 'linear']),
  learningRate: v.pipe(v.number(), v.minValue(0.0001), v.maxValue(10)),
  batchSize: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(64)),
  seed: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1_000_000)),
});

export type NnPlaygroundState = v.InferOutput<typeof schema>;

export default defineLab({
  id: 'nn-playground',
  topic: '1.0',
  title: 'Neural network playground',
  summary: 'Train a small network on 2-D data with our autograd in a worker; watch the boundary move, click a neuron for its value and gradient.',
  tasks: ['1.0.b'],
  schema,
  defaults: (): NnPlaygroundState => ({ dataset: 'circle', noise: 0.05, hidden: [4, 4], activation: 'tanh', learningRate: 0.3, batchSize: 10, seed: 1 }),
  component: () => import('./NnPlaygroundLab.svelte'),
});
