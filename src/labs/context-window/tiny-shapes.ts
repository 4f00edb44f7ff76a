/** Shapes of the shipped TinyLM checkpoints, read from their Hugging Face style config.json. */
import { shapeFromLlamaConfig, type ModelShape } from '../../lib/models/shapes';

const NAMES = ['base', 'chat', 'draft'] as const;

/** Reads `public/models/tinylm-<name>/config.json`; missing checkpoints are skipped. */
export async function loadTinyShapes(base: string = import.meta.env.BASE_URL): Promise<ModelShape[]> {
  const out: ModelShape[] = [];
  await Promise.all(
    NAMES.map(async (name) => {
      try {
        const res = await fetch(`${base}models/tinylm-${name}/config.json`);
        if (!res.ok) return;
        const c = (await res.json()) as Record<string, unknown>;
        const num = (k: string, d = 0) => (typeof c[k] === 'number' ? (c[k] as number) : d);
        const heads = num('num_attention_heads', 1);
        out.push(
          shapeFromLlamaConfig(`tinylm-${name}`, `TinyLM ${name} (built in)`, {
            vocabSize: num('vocab_size'),
            dim: num('hidden_size'),
            nLayers: num('num_hidden_layers'),
            nHeads: heads,
            nKvHeads: num('num_key_value_heads', heads),
            ffnDim: num('intermediate_size'),
            maxSeqLen: num('max_position_embeddings'),
            tieEmbeddings: c['tie_word_embeddings'] !== false,
          }, `models/tinylm-${name}/config.json`),
        );
      } catch {
        /* not shipped yet */
      }
    }),
  );
  return out.sort((a, b) => NAMES.indexOf(a.id.slice(7) as never) - NAMES.indexOf(b.id.slice(7) as never));
}
