/**
 * Where TinyLM engines get their models:
 *  - the shipped checkpoints `public/models/<id>/{config.json, model.safetensors, tokenizer.json}`
 *    (tinylm-base, tinylm-chat, tinylm-draft), listed when their config.json is reachable;
 *  - `tinylm-random`: untrained random weights over a small BPE tokenizer trained on a few built-in
 *    sentences. Useless for text, useful for tests and for showing that constrained decoding
 *    yields valid JSON even from a model that knows nothing.
 */
import { loadTinyLM, SHIPPED_MODELS } from '../tinylm/checkpoint';
import { TINYLM_SPECIAL_TOKENS, type TinyLMConfig } from '../tinylm/contract';
import { TinyLM } from '../tinylm/model';
import { Tokenizer, trainBPE } from '../tokenizer';
import type { LoadedTinyLM, TinyLMLoader } from './tinylm-engine';
import { EngineError } from './errors';
import type { ModelInfo } from './types';
import type { ModelBlobRow } from '../storage/db';
import { adapterFromRow } from '../finetune/storage';

export const RANDOM_MODEL_ID = 'tinylm-random';

const CORPUS = [
  'Once upon a time there was a little cat named Tom. Tom liked to play in the sun.',
  'The dog ran to the park. "Hello!" said the dog. The cat and the dog were friends.',
  '{"name": "Ann", "age": 7, "pet": "cat", "tags": ["happy", "small"]}',
  '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>',
  'Answer: The capital of France is Paris. What is the weather? It is sunny today.',
].join('\n');

let randomTokenizer: Tokenizer | null = null;

/** The random model's tokenizer (~320 tokens, trained once per thread in a few ms). */
export function randomModelTokenizer(): Tokenizer {
  if (!randomTokenizer) {
    const { vocab, merges } = trainBPE(CORPUS.repeat(3), 320, [...TINYLM_SPECIAL_TOKENS]);
    randomTokenizer = new Tokenizer(vocab, merges, [...TINYLM_SPECIAL_TOKENS]);
  }
  return randomTokenizer;
}

/**
 * An untrained TinyLM (dim 32, 2 layers, GQA 4/2). The LM head is untied and scaled up so greedy
 * output varies with the context instead of repeating the last prompt token.
 */
export function createRandomTinyLM(seed = 1, maxSeqLen = 1024): LoadedTinyLM {
  const tokenizer = randomModelTokenizer();
  const config: TinyLMConfig = {
    vocabSize: tokenizer.vocabSize,
    dim: 32,
    nLayers: 2,
    nHeads: 4,
    nKvHeads: 2,
    ffnDim: 64,
    maxSeqLen,
    ropeTheta: 10000,
    normEps: 1e-5,
    tieEmbeddings: false,
  };
  const model = TinyLM.init(config, seed);
  const head = model.weight('lm_head.weight').data;
  for (let i = 0; i < head.length; i++) head[i] *= 40;
  return { id: RANDOM_MODEL_ID, model, tokenizer };
}

export const RANDOM_MODEL_INFO: ModelInfo = {
  id: RANDOM_MODEL_ID,
  engine: 'tinylm',
  displayName: 'TinyLM (random, untrained)',
  contextWindow: 1024,
  capabilities: ['chat', 'completion', 'embeddings', 'tools', 'json_schema', 'logprobs'],
  downloadBytes: 0,
};

const DISPLAY: Record<string, string> = {
  'tinylm-base': 'TinyLM base (stories)',
  'tinylm-chat': 'TinyLM chat (instructions, JSON, tools)',
  'tinylm-draft': 'TinyLM draft (small, for speculative decoding)',
};

/** Id of a shipped model with a saved LoRA adapter merged in: `<base id>+<modelBlobs row id>`. */
export const adapterModelId = (baseId: string, rowId: string) => `${baseId}+${rowId}`;

/**
 * Model list and loader over the shipped checkpoints at `baseUrl` (+ the random model if asked,
 * + every saved LoRA adapter over its shipped base when `adapters` reads them: listed as
 * `adapterModelId(base, row.id)`, loaded as base weights with the adapter merged in).
 */
export function tinyLMCatalog(
  baseUrl: string,
  options: { includeRandomModel?: boolean; fetchFn?: typeof fetch; adapters?: () => Promise<ModelBlobRow[]> } = {},
): { models: () => Promise<ModelInfo[]>; loader: TinyLMLoader } {
  const base = baseUrl.endsWith('/') ? baseUrl : baseUrl + '/';
  const fetchFn = options.fetchFn ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  let listed: Promise<ModelInfo[]> | null = null;
  const models = () =>
    (listed ??= (async () => {
      const found = await Promise.all(
        // Chat first: it is the sensible default for labs that pick the first model.
        [...SHIPPED_MODELS].sort((a, b) => Number(b === 'tinylm-chat') - Number(a === 'tinylm-chat')).map(async (id): Promise<ModelInfo | null> => {
          try {
            const r = await fetchFn(`${base}${id}/config.json`);
            if (!r.ok) return null;
            const cfg = (await r.json()) as { max_position_embeddings?: number };
            const chat = id !== 'tinylm-base';
            return {
              id,
              engine: 'tinylm',
              displayName: DISPLAY[id] ?? id,
              contextWindow: cfg.max_position_embeddings ?? 512,
              capabilities: chat
                ? ['chat', 'completion', 'embeddings', 'tools', 'json_schema', 'logprobs']
                : ['completion', 'embeddings', 'json_schema', 'logprobs'],
              downloadBytes: 0,
            };
          } catch {
            return null;
          }
        }),
      );
      const list = found.filter((m): m is ModelInfo => m !== null);
      if (options.includeRandomModel) list.push(RANDOM_MODEL_INFO);
      return list;
    })()).then(async (list) => [...list, ...(await adapterModels(list))]);
  // Adapters are read on every listing (the learner may have saved one since).
  const adapterModels = async (list: ModelInfo[]): Promise<ModelInfo[]> => {
    if (!options.adapters) return [];
    const rows = await options.adapters().catch(() => [] as ModelBlobRow[]);
    return rows.flatMap((row) => {
      const base = list.find((m) => m.id === row.baseModel);
      return base && row.kind === 'lora' ? [{ ...base, id: adapterModelId(base.id, row.id), displayName: row.name }] : [];
    });
  };
  const loader: TinyLMLoader = async (id, onProgress) => {
    onProgress?.({ progress: 0, text: `Loading ${id}…` });
    if (id === RANDOM_MODEL_ID) {
      const m = createRandomTinyLM();
      onProgress?.({ progress: 1, text: `${id} ready` });
      return m;
    }
    const plus = id.indexOf('+');
    if (plus > 0 && options.adapters) {
      const [baseId, rowId] = [id.slice(0, plus), id.slice(plus + 1)];
      const row = (await options.adapters()).find((r) => r.id === rowId);
      if (!row) throw new EngineError('model-not-found', `The adapter of ${id} is no longer saved in this browser.`, 'Fine-tune again in lesson 2.2, or pick another model.');
      const { model, tokenizer } = await loadTinyLM(`${base}${baseId}/`, fetchFn);
      const adapter = adapterFromRow(row, model.config);
      onProgress?.({ progress: 1, text: `${id} ready` });
      return { id, model: new TinyLM(model.config, adapter.merged(model.weights)), tokenizer };
    }
    try {
      const { model, tokenizer } = await loadTinyLM(`${base}${id}/`, fetchFn);
      onProgress?.({ progress: 1, text: `${id} ready` });
      return { id, model, tokenizer };
    } catch (e) {
      throw new EngineError('model-not-found', `Could not load ${id}: ${(e as Error).message}`, 'The shipped model files may be missing from this build.', { cause: e });
    }
  };
  return { models, loader };
}
