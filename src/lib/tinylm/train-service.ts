/**
 * The training worker's API, declared once and implemented here (pure, Node-testable); the worker
 * file `workers/tinylm-train.worker.ts` serves it through src/lib/rpc, and the page reaches it
 * with `createTrainClient()` (./train-client.ts).
 *
 * Every `train` call carries a `requestId` that comes back in its progress events and its reply,
 * so a client can drop results of a run it no longer cares about. Errors come back as data.
 * Starting a new run cancels the previous one; cancelling (the call's signal with
 * `cancel: 'finish'`, or `cancel()`) ends a run early and still returns its weights.
 */
import { toErrorData, type ErrorData } from '../errors';
import type { CallContext } from '../rpc/protocol';
import { transfer } from '../rpc/protocol';
import type { TinyLMConfig, TinyLMWeights } from './contract';
import { TinyLM, initWeights } from './model';
import { Trainer, evaluateLoss, sequentialBatches, type StepInfo, type TokenData, type TrainConfig } from './train';

/** Weights as plain transferable data: name → { shape, data }. */
export type WeightRecord = Record<string, { shape: number[]; data: Float32Array }>;

export interface TrainRequest {
  requestId: number;
  config: TinyLMConfig;
  train: TrainConfig;
  data: TokenData;
  /** Held-out tokens: when given, the validation loss is reported every `evalEvery` steps. */
  valData?: TokenData;
  evalEvery?: number;
  /** Start from these weights (fine-tuning); default: fresh init with `train.seed`. */
  weights?: WeightRecord;
}

export interface TrainProgress extends StepInfo {
  requestId: number;
  valLoss?: number;
  paused: boolean;
}

export type TrainReply =
  | { requestId: number; ok: true; cancelled: boolean; last: StepInfo | null; weights: WeightRecord }
  | { requestId: number; ok: false; error: ErrorData };

/** What the worker exposes. */
export interface TinyLMTrainApi {
  /** Trains; one progress event per step; the trained weights are transferred back. */
  train(req: TrainRequest, ctx: CallContext<TrainProgress>): Promise<TrainReply>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  cancel(): Promise<void>;
  /** A snapshot of the current weights (a checkpoint of a running or finished run). */
  snapshot(): Promise<WeightRecord | null>;
}

/** Map ↔ record conversions. */
export function weightsToRecord(w: TinyLMWeights, copy = true): WeightRecord {
  const out: WeightRecord = {};
  for (const [k, t] of w) out[k] = { shape: t.shape.slice(), data: copy ? t.data.slice() : t.data };
  return out;
}

export function recordToWeights(r: WeightRecord): TinyLMWeights {
  return new Map(Object.entries(r).map(([k, t]) => [k, { shape: t.shape, data: t.data }]));
}

/** Creates the training service (one run at a time). */
export function createTrainService(): TinyLMTrainApi {
  let trainer: Trainer | null = null;
  return {
    async train(req, ctx) {
      trainer?.cancel();
      const onAbort = () => trainer?.cancel();
      try {
        const weights = req.weights ? recordToWeights(req.weights) : initWeights(req.config, req.train.seed);
        const model = new TinyLM(req.config, weights);
        const t = new Trainer(model, req.data, req.train);
        trainer = t;
        ctx.signal.addEventListener('abort', onAbort);
        if (ctx.signal.aborted) t.cancel();
        const last = await t.run((info) => {
          const p: TrainProgress = { ...info, requestId: req.requestId, paused: t.isPaused };
          const every = req.evalEvery ?? 0;
          if (req.valData && every > 0 && (info.step % every === 0 || info.step === info.totalSteps))
            p.valLoss = evaluateLoss(model, sequentialBatches(req.valData, 2, req.train.seqLen, 4));
          void ctx.progress(p);
        });
        const cancelled = t.step < req.train.steps;
        const reply: TrainReply = { requestId: req.requestId, ok: true, cancelled, last, weights: weightsToRecord(model.weights, false) };
        // Hand the trained weights over without copying them.
        return transfer(reply, Object.values(reply.weights).map((w) => w.data.buffer as ArrayBuffer));
      } catch (e) {
        return { requestId: req.requestId, ok: false, error: toErrorData(e) };
      } finally {
        ctx.signal.removeEventListener('abort', onAbort);
      }
    },
    pause: async () => trainer?.pause(),
    resume: async () => trainer?.resume(),
    cancel: async () => trainer?.cancel(),
    snapshot: async () => (trainer ? weightsToRecord(trainer.model.weights) : null),
  };
}
