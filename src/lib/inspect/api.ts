/**
 * The inspect worker's API (declared once for both sides): loads a shipped TinyLM and runs the
 * model labs' computations — next-token distributions, seeded sampling, the step-by-step trace,
 * attention maps, ablations, the context-window demo and the residual/norm training comparison.
 */
import type { CallContext } from '../rpc/protocol';
import type { TinyLM, Ablation } from '../tinylm/model';
import type { Tokenizer } from '../tokenizer';
import type { SamplingParams } from '../sampling';
import { traceForward, type ForwardSteps } from './trace';
import { heldOutStories, lossByContext, tokenSurprise, type HeldOutStories, type Surprise } from './held-out';
import { drawSamples, nextLogits, runAblation, trainVariants, type AblationResult, type CurvePoint, type Draw, type Variant } from './experiments';

export interface LoadedModel {
  model: TinyLM;
  tokenizer: Tokenizer;
}

/** What the page learns about a loaded model. */
export interface ModelSummary {
  id: string;
  config: TinyLM['config'];
  parameters: number;
  /** display text of every token id (bytes decoded leniently), for labels */
  pieces: string[];
}

export interface Tokenized {
  ids: number[];
  pieces: string[];
}

export interface InspectApi {
  load(id: string, baseUrl: string): Promise<ModelSummary>;
  tokenize(id: string, text: string): Promise<Tokenized>;
  nextLogits(id: string, ids: number[]): Promise<Float32Array>;
  sample(id: string, ids: number[], params: SamplingParams, n: number, seed: number, maxTokens: number): Promise<{ greedy: Draw & { text: string }; samples: Array<Draw & { text: string }> }>;
  trace(id: string, ids: number[], opts: { pos?: number; layer?: number; head?: number }): Promise<ForwardSteps>;
  ablate(id: string, prompt: number[], heldOut: number[], ablation: Ablation): Promise<AblationResult>;
  /** The first `n` held-out stories of the generator (the split metrics.json is measured on), tokenized. */
  heldOut(id: string, n: number): Promise<HeldOutStories>;
  /** Per-token surprise of the intact model on a text (its first window). */
  surprise(id: string, ids: number[]): Promise<Surprise>;
  /** Loss on the same held-out targets when the model may see exactly w earlier tokens, per window. */
  lossByContext(id: string, held: Pick<HeldOutStories, 'ids' | 'starts'>, windows: number[]): Promise<Array<{ window: number; loss: number }>>;
  /** Trains tiny models per variant; progress is batches of curve points; stops when the call is cancelled. */
  trainVariants(id: string, text: string, variants: Variant[], steps: number, ctx: CallContext<CurvePoint[]>): Promise<CurvePoint[]>;
}

type Loader = (baseUrl: string) => Promise<LoadedModel>;

/** Display text of a token: its bytes decoded as UTF-8 with replacement characters. */
export function tokenPiece(tok: Tokenizer, id: number): string {
  const bytes = tok.tokenBytes(id);
  if (!bytes) return `<${id}>`;
  if (tok.isSpecial(id)) return new TextDecoder().decode(bytes);
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

/** The implementation shared by the worker and tests; `loader` fetches a checkpoint. */
export function createInspectApi(loader: Loader): InspectApi {
  const models = new Map<string, Promise<LoadedModel>>();
  const get = async (id: string) => {
    const m = models.get(id);
    if (!m) throw new Error(`model ${id} is not loaded`);
    return m;
  };
  const text = (tok: Tokenizer, d: Draw) => ({ ...d, text: tok.decode(d.ids) });
  return {
    async load(id, baseUrl) {
      if (!models.has(id)) {
        const p = loader(baseUrl);
        models.set(id, p);
        p.catch(() => models.delete(id));
      }
      const { model, tokenizer } = await models.get(id)!;
      const pieces = Array.from({ length: model.config.vocabSize }, (_, i) => tokenPiece(tokenizer, i));
      return { id, config: model.config, parameters: model.parameterCount, pieces };
    },
    async tokenize(id, s) {
      const { tokenizer } = await get(id);
      const ids = tokenizer.encode(s);
      return { ids, pieces: ids.map((i) => tokenPiece(tokenizer, i)) };
    },
    async nextLogits(id, ids) {
      return nextLogits((await get(id)).model, ids);
    },
    async sample(id, ids, params, n, seed, maxTokens) {
      const { model, tokenizer } = await get(id);
      const r = drawSamples(model, ids, params, n, seed, maxTokens);
      return { greedy: text(tokenizer, r.greedy), samples: r.samples.map((d) => text(tokenizer, d)) };
    },
    async trace(id, ids, opts) {
      return traceForward((await get(id)).model, ids, opts);
    },
    async ablate(id, prompt, heldOut, ablation) {
      return runAblation((await get(id)).model, prompt, heldOut, ablation);
    },
    async heldOut(id, n) {
      return heldOutStories((await get(id)).tokenizer, n);
    },
    async surprise(id, ids) {
      return tokenSurprise((await get(id)).model, ids);
    },
    async lossByContext(id, held, windows) {
      return lossByContext((await get(id)).model, held, windows);
    },
    async trainVariants(id, s, variants, steps, ctx) {
      const { tokenizer } = await get(id);
      const tokens = tokenizer.encode(s);
      const all: CurvePoint[] = [];
      let batch: CurvePoint[] = [];
      for (const pt of trainVariants(tokens, tokenizer.vocabSize, variants, { steps })) {
        if (ctx.signal.aborted) break;
        all.push(pt);
        batch.push(pt);
        if (batch.length >= 5) {
          await ctx.progress(batch);
          batch = [];
          await new Promise((r) => setTimeout(r, 0)); // let a cancel message in
        }
      }
      if (batch.length) await ctx.progress(batch);
      return all;
    },
  };
}
