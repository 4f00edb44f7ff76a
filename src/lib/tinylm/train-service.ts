/**
 * The training worker's API, declared once and implemented here (pure, Node-testable); the worker
 * file `workers/tinylm-train.worker.ts` only exposes it through comlink.
 *
 * Every `train` call carries a `requestId` that comes back in its progress events and its reply,
 * so a client can drop results of a run it no longer cares about. Errors come back as data.
 * Starting a new run cancels the previous one.
 */
import { toErrorData as serializeError, type ErrorData as SerializedError } from '../errors';
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
  | { requestId: number; ok: false; error: SerializedError };

/** What the worker exposes. */
export interface TinyLMTrainApi {
  train(req: TrainRequest, onProgress: (p: TrainProgress) => void): Promise<TrainReply>;
  pause(): void;
  resume(): void;
  cancel(): void;
  /** A snapshot of the current weights (a checkpoint of a running or finished run). */
  snapshot(): WeightRecord | null;
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
    async train(req, onProgress) {
      trainer?.cancel();
      try {
        const weights = req.weights ? recordToWeights(req.weights) : initWeights(req.config, req.train.seed);
        const model = new TinyLM(req.config, weights);
        const t = new Trainer(model, req.data, req.train);
        trainer = t;
        const last = await t.run((info) => {
          const p: TrainProgress = { ...info, requestId: req.requestId, paused: t.isPaused };
          const every = req.evalEvery ?? 0;
          if (req.valData && every > 0 && (info.step % every === 0 || info.step === info.totalSteps))
            p.valLoss = evaluateLoss(model, sequentialBatches(req.valData, 2, req.train.seqLen, 4));
          onProgress(p);
        });
        const cancelled = t.step < req.train.steps;
        return { requestId: req.requestId, ok: true, cancelled, last, weights: weightsToRecord(model.weights, false) };
      } catch (e) {
        return { requestId: req.requestId, ok: false, error: serializeError(e) };
      }
    },
    pause: () => trainer?.pause(),
    resume: () => trainer?.resume(),
    cancel: () => trainer?.cancel(),
    snapshot: () => (trainer ? weightsToRecord(trainer.model.weights) : null),
  };
}
