/**
 * Which embedders the labs offer, and creating them. The built-in lexical one always works.
 * The neural ones come through the lab's engine source (`ctx.engine`): web-llm's snowflake-arctic-embed
 * (needs WebGPU and a one-time download) and the remote endpoint's /v1/embeddings (needs the
 * endpoint configured on the Models page). Engines are created only when chosen.
 */
import type { EngineSource } from '../../ui/chat/engine-access';
import type { Capabilities } from '../../lib/capabilities/detect';
import { EngineEmbedder, LexicalEmbedder, WEBLLM_EMBEDDERS, LEXICAL_EMBEDDER_ID, type Embedder } from '../../lib/rag/embedders';
import { RagError } from '../../lib/rag/errors';
import type { LoadProgress } from '../../lib/engine/types';

export interface EmbedderOption {
  id: string;
  label: string;
  available: boolean;
  note?: string;
}

const REMOTE_EMBEDDER_PREFIX = 'remote:';

/** The embedders shown in the pickers, with why an unavailable one is unavailable. */
export function embedderOptions(engine: EngineSource | null, caps: Capabilities | null): EmbedderOption[] {
  const gpu = Boolean(caps?.webgpu);
  const registry = Boolean(engine?.hasPicker);
  const remote = engine?.remote ?? null;
  return [
    { id: LEXICAL_EMBEDDER_ID, label: new LexicalEmbedder().label, available: true },
    ...WEBLLM_EMBEDDERS.map((e) => ({
      id: e.id,
      label: e.label,
      available: registry && gpu,
      note: !registry ? 'no model registry here' : gpu ? 'downloads once, then offline' : 'needs WebGPU',
    })),
    {
      id: remote ? `${REMOTE_EMBEDDER_PREFIX}${remote.model || 'default'}` : `${REMOTE_EMBEDDER_PREFIX}`,
      label: remote ? `Remote /v1/embeddings (${remote.model || 'server default'} at ${remote.baseUrl})` : 'Remote /v1/embeddings',
      available: Boolean(remote),
      note: remote ? undefined : 'set up an endpoint on the Models page',
    },
  ];
}

/**
 * An embedder by id (as recorded on a collection). `dims` is the collection's (0 = unknown yet).
 * Neural ones load their model through the registry, reporting progress.
 */
export async function createEmbedder(id: string, dims: number, engines: EngineSource | null, onProgress?: (p: LoadProgress) => void): Promise<Embedder> {
  if (id.startsWith('lexical-hash-')) return new LexicalEmbedder(dims || 768);
  if (!engines?.hasPicker) throw new RagError('embedder-mismatch', `${id} needs the model registry, which is not available here.`);
  const webllm = WEBLLM_EMBEDDERS.find((e) => e.id === id);
  if (webllm) {
    const engine = await engines.engineFor(webllm.model!, onProgress);
    return new EngineEmbedder(engine, webllm);
  }
  if (id.startsWith(REMOTE_EMBEDDER_PREFIX)) {
    const name = id.slice(REMOTE_EMBEDDER_PREFIX.length);
    const engine = await engines.engineFor(`remote:${name}`, onProgress);
    return new EngineEmbedder(engine, { id, label: `Remote ${name}`, model: name === 'default' ? undefined : name, dims, batchSize: 32 });
  }
  throw new RagError('embedder-mismatch', `Unknown embedder “${id}”.`, 'Re-embed the collection with an available embedder.');
}
