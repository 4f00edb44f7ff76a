import * as v from 'valibot';
import { defineLab } from '../types';
import { DEFAULT_CHAIN } from '../../lib/langchain/default-chain';

const text = (n: number) => v.pipe(v.string(), v.maxLength(n));

const schema = v.object({
  preset: text(40),
  templateKind: v.picklist(['string', 'chat']),
  system: text(1000),
  template: text(2000),
  vars: v.pipe(v.record(v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]*$/), v.maxLength(40)), text(2000)), v.check((r) => Object.keys(r).length <= 12, 'at most 12 variables')),
  parser: v.picklist(['string', 'json', 'valibot', 'regex']),
  regex: text(200),
  batchValues: text(2000),
  mode: v.picklist(['invoke', 'stream', 'batch']),
  temperature: v.pipe(v.number(), v.minValue(0), v.maxValue(2)),
  maxTokens: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1024)),
  seed: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 31 - 1)),
  model: text(200),
});

export type ComponentsState = v.InferOutput<typeof schema>;

export default defineLab({
  id: 'lc-components',
  topic: '1.3',
  title: 'LangChain components: prompt template → model → output parser',
  summary: 'Build a chain from blocks with the real LangChain.js, run it with invoke, stream or batch, and read the run tree our callback handler records: every runnable with its input, output, time and tokens.',
  tasks: ['1.3.a'],
  schema,
  defaults: (): ComponentsState => ({
    preset: 'qa',
    ...structuredClone(DEFAULT_CHAIN),
    mode: 'invoke',
    temperature: 0,
    maxTokens: 48,
    seed: 1,
    model: '',
  }),
  component: () => import('./ComponentsLab.svelte'),
});
