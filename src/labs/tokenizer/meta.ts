import * as v from 'valibot';
import { defineLab } from '../types';
import { TOKENIZER_KINDS } from '../../lib/tokenizer/kinds';

/** Longest text kept in the lab state (and so in share links). */
export const STATE_TEXT_MAX = 2000;

const schema = v.object({
  text: v.pipe(v.string(), v.maxLength(STATE_TEXT_MAX)),
  tokenizers: v.pipe(v.array(v.picklist(TOKENIZER_KINDS)), v.maxLength(TOKENIZER_KINDS.length)),
  vocabSize: v.pipe(v.number(), v.integer(), v.minValue(260), v.maxValue(4096)),
  corpus: v.picklist(['stories', 'mixed', 'file']),
  view: v.picklist(['text', 'bytes', 'ids']),
});

export type TokenizerLabState = v.InferOutput<typeof schema>;

export default defineLab({
  id: 'tokenizer',
  topic: '1.1',
  title: 'Tokenization: byte-level BPE',
  summary: 'Type text and see how five tokenizers cut it into tokens; train your own byte-level BPE in a worker and watch its merges appear.',
  tasks: ['1.1.a'],
  schema,
  defaults: (): TokenizerLabState => ({
    text: 'Tokenizers see bytes, not words: "unbelievable" vs "un believ able". 12345 + 678 = 13023. naïve café, 日本語, 😀 and def f(x): return x**2',
    tokenizers: ['trained', 'tinylm', 'r50k', 'o200k'],
    vocabSize: 500,
    corpus: 'stories',
    view: 'text',
  }),
  component: () => import('./TokenizerLab.svelte'),
});
