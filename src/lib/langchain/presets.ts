/**
 * Starting points for the Components lab (plain data, no LangChain import). Each works on TinyLM-chat in a format it was trained on and stays
 * well inside its 256-token window.
 */
import type { ChainSpec } from './components';
import { DEFAULT_CHAIN, MOSAN, QA_SYSTEM } from './default-chain';

export interface ChainPreset {
  id: string;
  title: string;
  spec: Omit<ChainSpec, 'temperature' | 'maxTokens' | 'seed'>;
}

export const CHAIN_PRESETS: ChainPreset[] = [
  { id: 'qa', title: 'Context QA → string parser', spec: DEFAULT_CHAIN },
  {
    id: 'json',
    title: 'Extraction → JSON parser',
    spec: {
      templateKind: 'string',
      system: '',
      template: 'Return JSON with the keys "name" (string), "city" (string).\nText: {text}',
      vars: { text: 'Lena lives in Oslo. Lena works as a pilot.' },
      parser: 'json',
      regex: '',
      batchValues: 'Lena lives in Oslo.\nTomas lives in Lima.\nKaveri lives in Rome.',
    },
  },
  {
    id: 'valibot',
    title: 'Extraction → valibot schema (standard schema parser)',
    spec: {
      templateKind: 'string',
      system: '',
      template: 'Return JSON with the keys "name" (string), "age" (number).\nText: {text}',
      vars: { text: 'Mia is 23 years old. Mia works as a cook.' },
      parser: 'valibot',
      regex: '',
      batchValues: 'Mia is 23 years old.\nTom is 52 years old.\nLily is 9 years old.',
    },
  },
  {
    id: 'regex',
    title: 'Context QA → your own parser function',
    spec: {
      templateKind: 'chat',
      system: QA_SYSTEM,
      template: 'Context: {context}\nQuestion: {question}',
      vars: { context: MOSAN, question: 'How old is Mosan?' },
      parser: 'regex',
      regex: '(\\d+)',
      batchValues: 'How old is Mosan?\nWhere does Mosan live?',
    },
  },
  {
    id: 'mismatch',
    title: 'A parse failure: JSON parser on a QA answer',
    spec: {
      templateKind: 'chat',
      system: QA_SYSTEM,
      template: 'Context: {context}\nQuestion: {question}',
      vars: { context: MOSAN, question: "What is Mosan's job?" },
      parser: 'json',
      regex: '',
      batchValues: "What is Mosan's job?\nWhere does Mosan live?",
    },
  },
];
