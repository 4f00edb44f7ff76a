/**
 * The inference worker's API (declared once for both sides): loads shipped TinyLM checkpoints and
 * runs the inference-optimisation labs' measurements — speculative decoding, KV-cache decoding,
 * and quantization. Framework-free; `workers/inference.worker.ts` serves it through src/lib/rpc, and the
 * client falls back to running it on the page.
 */
import type { TinyLM } from '../tinylm/model';
import type { Tokenizer } from '../tokenizer';
import { renderChatML } from '../tinylm/corpus';
import { tokenPiece } from '../inspect/api';
import { LabError } from '../errors';
import type { CallContext } from '../rpc/protocol';
import { measureSpeculative, type SpecMeasurement } from './spec-measure';
import type { SpecMode } from './speculative';
import { kvDecode, type KvDecodeResult, type KvPoint } from './kv-measure';
import { quantizeModelVariants, quantGguf, type GgufVariant, type QuantRequest, type QuantRow } from './quant-measure';
import { compareBatching, type ServingComparison, type ServingRequest } from './serving-measure';
import type { BatchPolicy, StepStat } from './scheduler';

export interface LoadedModel {
  model: TinyLM;
  tokenizer: Tokenizer;
}

export type Loader = (baseUrl: string) => Promise<LoadedModel>;

/** How a prompt is fed: a story continuation (base model) or one user turn in the chat template. */
export type PromptFormat = 'story' | 'chat';

export interface SpecRequest {
  target: string;
  draft: string;
  format: PromptFormat;
  prompt: string;
  gamma: number;
  mode: SpecMode;
  temperature: number;
  seed: number;
  maxTokens: number;
  reps?: number;
}

/** A measured speculative run with display pieces for its tokens. */
export interface SpecView extends Omit<SpecMeasurement, 'tokens' | 'plainTokens'> {
  promptTokens: number;
  tokens: Array<{ id: number; piece: string; kind: 'accepted' | 'resampled' | 'bonus'; round: number }>;
  text: string;
  /** Greedy mode: the speculative tokens equal plain greedy decoding's. */
  identical: boolean | null;
}

/** One step of one batching policy, as the serving lab streams it. */
export interface ServingStep {
  policy: BatchPolicy;
  s: StepStat;
}

export interface ModelInfo {
  id: string;
  config: TinyLM['config'];
  parameters: number;
}

export interface InferenceApi {
  load(id: string, baseUrl: string): Promise<ModelInfo>;
  speculative(req: SpecRequest): Promise<SpecView>;
  /** The same request for each γ (one timed repetition each): tokens/call and speedup vs γ. */
  specSweep(req: SpecRequest, gammas: number[]): Promise<SpecView[]>;
  /** Greedy decoding with and without the KV cache; `ctx.progress` receives per-step timings as they come. */
  kvDecode(id: string, format: PromptFormat, prompt: string, maxTokens: number, ctx: CallContext<KvPoint[]>): Promise<KvDecodeResult>;
  /** Measures the model under each weight format; `ctx.progress` receives each row as it is done. */
  quantize(id: string, req: QuantRequest, ctx: CallContext<QuantRow>): Promise<QuantRow[]>;
  /** The model as a GGUF file of a type llama.cpp holds (AWQ: scales folded in, then Q4_0). */
  gguf(id: string, variant: GgufVariant): Promise<Uint8Array>;
  /** The same seeded workload under static and continuous batching; `ctx.progress` streams each step. */
  serving(id: string, req: ServingRequest, ctx: CallContext<ServingStep>): Promise<ServingComparison>;
}

/** Prompt ids of `text` in the given format. */
export function encodePrompt(tok: Tokenizer, format: PromptFormat, text: string): { ids: number[]; stopIds: number[] } {
  if (format === 'chat') return { ids: tok.encode(renderChatML([{ role: 'user', content: text }], true)), stopIds: [2, 0] };
  // Stories are separated by <|endoftext|> (id 0) in training: start after one.
  return { ids: [0, ...tok.encode(text, { allowedSpecial: [] })], stopIds: [0] };
}

/** The implementation shared by the worker and tests; `loader` fetches a checkpoint. */
export function createInferenceApi(loader: Loader): InferenceApi {
  const models = new Map<string, Promise<LoadedModel>>();
  const get = async (id: string) => {
    const m = models.get(id);
    if (!m) throw new Error(`model ${id} is not loaded`);
    return m;
  };
  const spec = async (req: SpecRequest, gamma: number, reps: number): Promise<SpecView> => {
    const [t, d] = await Promise.all([get(req.target), get(req.draft)]);
    const { ids, stopIds } = encodePrompt(t.tokenizer, req.format, req.prompt);
    if (ids.length >= t.model.config.maxSeqLen) throw new LabError('context-window', `The prompt has ${ids.length} tokens; TinyLM's window is ${t.model.config.maxSeqLen}.`, 'Shorten the prompt.');
    const m = measureSpeculative(t.model, d.model, { prompt: ids, gamma, mode: req.mode, temperature: req.temperature, seed: req.seed, maxTokens: req.maxTokens, stopIds, reps });
    const { tokens, plainTokens, ...rest } = m;
    const same = tokens.length === plainTokens.length && tokens.every((x, i) => x.id === plainTokens[i]);
    return {
      ...rest,
      promptTokens: ids.length,
      tokens: tokens.map((x) => ({ ...x, piece: tokenPiece(t.tokenizer, x.id) })),
      text: t.tokenizer.decode(tokens.map((x) => x.id)),
      identical: req.mode === 'greedy' ? same : null,
    };
  };
  return {
    async load(id, baseUrl) {
      if (!models.has(id)) {
        const p = loader(baseUrl);
        models.set(id, p);
        p.catch(() => models.delete(id));
      }
      const { model } = await models.get(id)!;
      return { id, config: model.config, parameters: model.parameterCount };
    },
    speculative: (req) => spec(req, req.gamma, req.reps ?? 3),
    async specSweep(req, gammas) {
      const out: SpecView[] = [];
      for (const g of gammas) out.push(await spec(req, g, req.reps ?? 1));
      return out;
    },
    // The measurements are synchronous loops: progress is posted as it comes (not awaited), as
    // the callbacks were before the move to src/lib/rpc.
    async kvDecode(id, format, prompt, maxTokens, ctx) {
      const { model, tokenizer } = await get(id);
      const { ids } = encodePrompt(tokenizer, format, prompt);
      return kvDecode(model, ids, maxTokens, (i) => tokenPiece(tokenizer, i), (pts) => void ctx?.progress(pts));
    },
    async quantize(id, req, ctx) {
      const { model, tokenizer } = await get(id);
      return quantizeModelVariants(model, tokenizer, req, (row) => void ctx?.progress(row));
    },
    async gguf(id, variant) {
      const { model, tokenizer } = await get(id);
      return quantGguf(model, tokenizer, id, variant);
    },
    async serving(id, req, ctx) {
      const { model, tokenizer } = await get(id);
      return compareBatching(model, tokenizer, req, (policy, s) => void ctx?.progress({ policy, s }));
    },
  };
}
