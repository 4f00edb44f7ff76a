import * as v from 'valibot';
import { defineLab } from '../types';
import { SCHEMA_PRESETS } from '../../lib/prompting/presets';

const schema = v.object({
  /** preset id, or 'custom' once edited */
  preset: v.pipe(v.string(), v.maxLength(40)),
  task: v.pipe(v.string(), v.maxLength(2000)),
  /** the JSON Schema as the learner wrote it (may be invalid while editing) */
  schemaText: v.pipe(v.string(), v.maxLength(6000)),
  /** ask the engine for constrained decoding (response_format json_schema) */
  constrained: v.boolean(),
  maxAttempts: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(5)),
  runs: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(20)),
  seed: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 31 - 1)),
  temperature: v.pipe(v.number(), v.minValue(0), v.maxValue(2)),
  maxTokens: v.pipe(v.number(), v.integer(), v.minValue(16), v.maxValue(2048)),
  model: v.pipe(v.string(), v.maxLength(200)),
});

export type StructuredState = v.InferOutput<typeof schema>;

const first = SCHEMA_PRESETS[0];

export default defineLab({
  id: 'structured-output',
  topic: '1.2',
  title: 'Reliable structured output: schema, constrained decoding, validate and retry',
  summary: 'Write or pick a JSON Schema; get JSON from the model with constrained decoding, or through the parse → validate → re-prompt loop, and measure the success rate over N runs.',
  tasks: ['1.2.c'],
  schema,
  defaults: (): StructuredState => ({
    preset: first.id,
    task: first.task,
    schemaText: JSON.stringify(first.schema, null, 2),
    constrained: false,
    maxAttempts: 3,
    runs: 5,
    seed: 1,
    temperature: first.temperature ?? 0.7,
    maxTokens: 160,
    model: '',
  }),
  component: () => import('./StructuredOutputLab.svelte'),
});
