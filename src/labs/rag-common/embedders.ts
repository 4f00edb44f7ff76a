/**
 * Which embedders the labs can use right now. The built-in lexical one always; the neural ones
 * (web-llm's snowflake-arctic-embed, a remote /v1/embeddings) need an engine from the model
 * registry, which is not wired into these labs yet — they are listed as "not available yet".
 */
import { LexicalEmbedder, WEBLLM_EMBEDDERS, LEXICAL_EMBEDDER_ID, type Embedder } from '../../lib/rag/embedders';
import { RagError } from '../../lib/rag/errors';

export interface EmbedderOption {
  id: string;
  label: string;
  available: boolean;
  note?: string;
}

/** The embedders shown in the pickers. */
export function embedderOptions(): EmbedderOption[] {
  return [
    { id: LEXICAL_EMBEDDER_ID, label: new LexicalEmbedder().label, available: true },
    ...WEBLLM_EMBEDDERS.map((e) => ({ id: e.id, label: e.label, available: false, note: 'not available yet in these labs (needs the model registry)' })),
    { id: 'remote:embeddings', label: 'Remote endpoint /v1/embeddings', available: false, note: 'not available yet in these labs (needs the model registry)' },
  ];
}

/** An embedder instance for a stored collection's embedder id. */
export async function embedderFor(id: string, dims: number): Promise<Embedder> {
  if (id.startsWith('lexical-hash-')) return new LexicalEmbedder(dims);
  throw new RagError('embedder-mismatch', `This collection was embedded with ${id}, which these labs cannot run yet.`, 'Re-embed it with the built-in lexical embedder in the ingestion lab.');
}
