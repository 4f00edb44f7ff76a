import * as v from 'valibot';
import { defineLab } from '../types';

const schema = v.object({
  texts: v.pipe(v.string(), v.maxLength(4000)),
  query: v.pipe(v.string(), v.maxLength(300)),
  embedder: v.pipe(v.string(), v.maxLength(80)),
});

export type EmbeddingsState = v.InferOutput<typeof schema>;

export const DEFAULT_TEXTS = [
  'A vector database stores embeddings and finds the nearest ones to a query.',
  'Chunking splits long documents into passages before they are embedded.',
  'BM25 ranks documents by how often the query words appear in them.',
  'Sampling temperature makes the next-token choice more or less random.',
  'The tokenizer merges frequent byte pairs into tokens.',
  'Cats sleep for most of the day.',
].join('\n');

export default defineLab({
  id: 'embeddings',
  topic: '1.4',
  title: 'Embed text and find its neighbours',
  summary: 'Turn sentences and a query into vectors, see them in 2-D, and rank neighbours by cosine similarity and by raw dot product.',
  tasks: ['1.4.a'],
  schema,
  defaults: (): EmbeddingsState => ({ texts: DEFAULT_TEXTS, query: 'how do I search embeddings for the closest match?', embedder: 'lexical-hash-768' }),
  component: () => import('./EmbeddingsLab.svelte'),
});
