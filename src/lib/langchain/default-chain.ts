/** The Components lab's default chain (its own module so the lab's eagerly loaded meta stays tiny). */
import type { ChainSpec } from './components';

export const QA_SYSTEM = 'Answer the question with words from the context.';
export const MOSAN = 'Mosan lives in Dakar. Mosan works as a painter. She is 61 years old.';

/** Context QA in TinyLM's trained format, parsed as a string. */
export const DEFAULT_CHAIN: Omit<ChainSpec, 'temperature' | 'maxTokens' | 'seed'> = {
  templateKind: 'chat',
  system: QA_SYSTEM,
  template: 'Context: {context}\nQuestion: {question}',
  vars: { context: MOSAN, question: 'Where does Mosan live?' },
  parser: 'string',
  regex: '',
  batchValues: "Where does Mosan live?\nWhat is Mosan's job?\nHow old is Mosan?",
};
