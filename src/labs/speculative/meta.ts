import * as v from 'valibot';
import { defineLab } from '../types';

const schema = v.object({
  /** 'story': tinylm-base continues a story; 'chat': tinylm-chat answers one user turn */
  format: v.picklist(['story', 'chat']),
  prompt: v.pipe(v.string(), v.maxLength(600)),
  gamma: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(8)),
  mode: v.picklist(['greedy', 'sample']),
  temperature: v.pipe(v.number(), v.minValue(0.1), v.maxValue(2)),
  seed: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 31 - 1)),
  maxTokens: v.pipe(v.number(), v.integer(), v.minValue(8), v.maxValue(200)),
});

export type SpeculativeState = v.InferOutput<typeof schema>;

/** Starting prompts per format (a chat turn in the chat model's trained context-QA shape). */
export const DEFAULT_PROMPTS = {
  story: 'Once upon a time, there was a little girl named Lily. She liked to',
  chat: 'Context: Ana is a baker. She lives in Lima and has a red bike. Question: Where does Ana live?',
} as const;

export const SPECULATIVE_DEFAULTS: SpeculativeState = {
  format: 'story', prompt: DEFAULT_PROMPTS.story, gamma: 4, mode: 'greedy', temperature: 1, seed: 1, maxTokens: 120,
};

export default defineLab({
  id: 'speculative',
  topic: '3.1',
  title: 'Speculative decoding: a small draft model proposes, TinyLM verifies',
  summary: 'tinylm-draft proposes γ tokens, the target checks them all in one pass and keeps a prefix; see which tokens were accepted, the acceptance rate α, tokens per target call against (1 − α^(γ+1))/(1 − α), and the real wall-clock speedup.',
  tasks: ['3.1.c'],
  schema,
  defaults: (): SpeculativeState => ({ ...SPECULATIVE_DEFAULTS }),
  component: () => import('./SpeculativeLab.svelte'),
});
