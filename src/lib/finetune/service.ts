/**
 * The fine-tuning lab's worker API, declared once and implemented here (pure, Node-testable);
 * `workers/finetune.worker.ts` only serves it through src/lib/rpc.
 *
 * - `load` fetches the chat model once, builds the task's splits and scores the untouched model.
 * - `run` fine-tunes a fresh copy of it (full, LoRA or QLoRA), reporting every step; one run at a
 *   time (a new run cancels the previous one); every reply and progress event carries the
 *   request's id so the page can drop stale ones; errors come back as data.
 * - the last run's adapter and merged model can be exported; a PEFT adapter can be imported and
 *   scored on the same held-out prompts.
 */
import { settle, type CallContext, type Result } from '../rpc/protocol';
import type { TinyLMConfig } from '../tinylm/contract';
import { FineTuner, type FinetuneMemory, type FinetuneMethod } from '../tinylm/finetune';
import type { LoraConfig } from '../tinylm/lora';
import { TinyLM } from '../tinylm/model';
import type { TokenData } from '../tinylm/train';
import type { Tokenizer } from '../tokenizer';
import { promptIds, type ChatExample, type ChatMessage } from '../tinylm/corpus';
import { generateIds } from '../tinylm/eval';
import { LabError } from '../errors';
import { TASK_SPLITS, defaultTrain } from './recipe';
import { exportLoraGGUF } from './gguf-lora';
import { exportMergedGGUF, exportMergedModel, exportPeftAdapter, importPeftAdapter, type PeftFiles } from './peft';
import { makeTaskExamples, scoreTask, TASK_SEEDS, taskTokens, type TaskScore } from './task';

export interface FinetuneRunRequest {
  requestId: number;
  method: FinetuneMethod;
  lora: LoraConfig;
  steps: number;
  /**
   * Train on these conversations instead of the task's training split (the curation lab's raw or
   * curated rows); held-out loss and score stay the task's, so runs on different data compare.
   */
  rows?: ChatMessage[][];
  /** Seed of the batch order (default 1, as `defaultTrain`). */
  seed?: number;
  /** Conversations whose prompts the trained model answers after the run (greedy): what did it memorize? */
  probes?: ChatMessage[][];
}

export interface FinetuneProgress {
  requestId: number;
  step: number;
  totalSteps: number;
  loss: number;
  /** Mean milliseconds per step so far. */
  stepMs: number;
  paused: boolean;
}

export interface FinetuneResult {
  requestId: number;
  method: FinetuneMethod;
  cancelled: boolean;
  steps: number;
  valLoss: number;
  score: TaskScore;
  memory: FinetuneMemory;
  stepMs: number;
  /** The adapter as a PEFT folder (lora, qlora). */
  adapter: PeftFiles | null;
  /** Greedy replies to the request's probes, in order. */
  probeReplies: string[];
}

export type ExportKind = 'safetensors' | 'gguf' | 'lora-gguf';

/** A call's outcome as data (the rpc protocol's Result). */
export type Reply<T> = Result<T>;

export interface LoadInfo {
  config: TinyLMConfig;
  baseScore: TaskScore;
  baseValLoss: number;
  trainExamples: number;
  /** One training example in the chat template, with its reply. */
  sample: ChatExample;
}

/** What the worker exposes. */
export interface FinetuneApi {
  load(modelUrl: string): Promise<Reply<LoadInfo>>;
  /** Fine-tunes; each step goes to `ctx.progress`; aborting `ctx.signal` stops the run at its next step (it resolves as cancelled). */
  run(req: FinetuneRunRequest, ctx: CallContext<FinetuneProgress>): Promise<Reply<FinetuneResult>>;
  pause(): void;
  resume(): void;
  /** Stops the current run (the same as aborting its call's signal). */
  cancel(): void;
  /**
   * Files of the last finished run: the merged model as Hugging Face files ('safetensors') or one
   * F32 GGUF ('gguf'), or the adapter as a llama.cpp LoRA GGUF ('lora-gguf').
   */
  exportFiles(kind: ExportKind): Promise<Reply<Record<string, Uint8Array | string>>>;
  /** Scores a PEFT adapter folder on the held-out prompts. */
  importAdapter(files: { config: string; safetensors: Uint8Array }): Promise<Reply<{ lora: LoraConfig; baseModel: string; score: TaskScore; valLoss: number }>>;
}

const wrap = settle;

/** The base model's name in exported adapter configs. */
export const BASE_MODEL_NAME = 'tinylm-chat';

/** Creates the service; `loadModel` fetches a shipped model (injected so Node tests read files). */
export function createFinetuneService(loadModel: (url: string) => Promise<{ model: TinyLM; tokenizer: Tokenizer }>): FinetuneApi {
  let base: { model: TinyLM; tokenizer: Tokenizer; train: TokenData; val: TokenData; test: ChatExample[] } | null = null;
  let current: FineTuner | null = null;
  let last: FineTuner | null = null;
  const need = () => {
    if (!base) throw new Error('load() first');
    return base;
  };
  /** A fresh model over copies of the base weights (full fine-tuning writes them). */
  const freshModel = () => {
    const b = need();
    return new TinyLM(b.model.config, new Map([...b.model.weights].map(([k, t]) => [k, { shape: t.shape, data: t.data.slice() }])));
  };
  return {
    load: (url) => wrap(async () => {
      if (!base) {
        const { model, tokenizer } = await loadModel(url);
        base = {
          model, tokenizer,
          train: taskTokens(tokenizer, makeTaskExamples(TASK_SPLITS.train, TASK_SEEDS.train)),
          val: taskTokens(tokenizer, makeTaskExamples(TASK_SPLITS.val, TASK_SEEDS.val)),
          test: makeTaskExamples(TASK_SPLITS.test, TASK_SEEDS.test),
        };
      }
      const b = base;
      const probe = new FineTuner(b.model, b.train, { method: 'full', train: defaultTrain('full', 1) });
      return {
        config: b.model.config, baseScore: scoreTask(b.model, b.tokenizer, b.test), baseValLoss: probe.evaluate(b.val, 16),
        trainExamples: TASK_SPLITS.train, sample: makeTaskExamples(1, TASK_SEEDS.train)[0],
      };
    }),
    run: (req, ctx) => wrap(async () => {
      current?.trainer.cancel();
      const b = need();
      if (req.rows && !req.rows.length) throw new LabError('bad-input', 'There are no rows to fine-tune on.', 'Keep at least one row: loosen the filters or load another file.');
      const data = req.rows ? taskTokens(b.tokenizer, req.rows.map((messages) => ({ skill: 'qa', messages }))) : b.train;
      const ft = new FineTuner(req.method === 'full' ? freshModel() : b.model, data, {
        method: req.method, lora: req.lora, doubleQuant: true, train: { ...defaultTrain(req.method, req.steps), seed: req.seed ?? 1 },
      });
      current = ft;
      ctx.signal.addEventListener('abort', () => ft.trainer.cancel(), { once: true });
      // Progress is posted, not awaited: the trainer's loop stays as fast as with a plain callback.
      const info = await ft.trainer.run((s) => void ctx.progress({
        requestId: req.requestId, step: s.step, totalSteps: s.totalSteps, loss: s.loss, stepMs: s.elapsedMs / s.step, paused: ft.trainer.isPaused,
      }));
      const cancelled = ft.trainer.step < req.steps;
      last = ft;
      const merged = ft.mergedModel();
      const probeReplies = (req.probes ?? []).map((messages) =>
        b.tokenizer.decode(generateIds(merged, promptIds(b.tokenizer, { skill: 'qa', messages }), { maxTokens: 64, stopIds: [2, 0] })));
      return {
        requestId: req.requestId, method: req.method, cancelled, steps: ft.trainer.step,
        valLoss: ft.evaluate(b.val, 16), score: scoreTask(merged, b.tokenizer, b.test), memory: ft.memory(), probeReplies,
        stepMs: info ? info.elapsedMs / info.step : 0,
        adapter: ft.adapter ? exportPeftAdapter(ft.adapter, BASE_MODEL_NAME) : null,
      };
    }),
    pause: () => current?.trainer.pause(),
    resume: () => current?.trainer.resume(),
    cancel: () => current?.trainer.cancel(),
    exportFiles: (kind) => wrap((): Record<string, Uint8Array | string> => {
      const b = need();
      if (!last) throw new Error('Fine-tune first: there is no finished run to export.');
      if (kind === 'lora-gguf') {
        if (!last.adapter) throw new Error('Full fine-tuning has no adapter: export the merged model instead.');
        return { 'tinylm-lora-adapter.gguf': exportLoraGGUF(last.adapter, b.model.config) };
      }
      const merged = last.mergedWeights();
      if (kind === 'gguf') return { 'tinylm-finetuned-f32.gguf': exportMergedGGUF(b.model.config, merged, b.tokenizer) };
      return { ...exportMergedModel(b.model.config, merged, b.tokenizer) };
    }),
    importAdapter: (files) => wrap(() => {
      const b = need();
      const { adapter, baseModel } = importPeftAdapter(files, b.model.config);
      const ft = new FineTuner(b.model, b.train, { method: 'lora', lora: adapter.config, train: defaultTrain('lora', 1) });
      // Evaluate through the imported weights: copy them into the run's fresh adapter.
      for (const [k, l] of adapter.layers) {
        ft.adapter!.layers.get(k)!.A.data.set(l.A.data);
        ft.adapter!.layers.get(k)!.B.data.set(l.B.data);
      }
      last = ft;
      return { lora: adapter.config, baseModel, score: scoreTask(ft.mergedModel(), b.tokenizer, b.test), valLoss: ft.evaluate(b.val, 16) };
    }),
  };
}
