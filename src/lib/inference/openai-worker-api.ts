/**
 * The serving worker's API (declared once for both sides): the whole OpenAI-compatible server —
 * `openai-server.ts`'s handler over the continuously batched `ServingEngine` — lives in the
 * worker, so the page only moves bytes. A request crosses as plain data; the response comes back
 * as the call's progress: its head first, then the body chunk by chunk (server-sent events arrive
 * token by token). Cancelling the call (the client disconnected) aborts the request's signal and
 * the body, and the engine retires that sequence before its next step.
 * Framework-free; `workers/openai.worker.ts` serves it, the page falls back to running it in-page.
 */
import type { CallContext } from '../rpc/protocol';
import type { TinyLMLoader } from '../engine/tinylm-engine';
import type { ModelInfo } from '../engine/types';
import { tinyLMCatalog } from '../engine/tinylm-models';
import { createOpenAIHandler } from './openai-server';
import { createServingEngine, type ServingEngine } from './serving-engine';
import type { LiveStep } from './continuous-batcher';

/** A request as it crosses to the worker. */
export interface RelayRequest {
  method: string;
  url: string;
  headers: Array<[string, string]>;
  body: ArrayBuffer | null;
}

/** A response as it comes back: the head, then body chunks. */
export type RelayPart = { type: 'head'; status: number; statusText: string; headers: Array<[string, string]> } | { type: 'chunk'; bytes: Uint8Array };

export interface ServingInit {
  /** Where the shipped models are (`<app>/models/`). */
  modelsBaseUrl: string;
  /** Most sequences decoded together (default 8). */
  maxBatch?: number;
}

/** A step of the engine, numbered from the worker's start. */
export interface NumberedStep extends LiveStep {
  n: number;
}

export interface OpenAIWorkerApi {
  /** Called first on every fresh worker. */
  init(options: ServingInit): Promise<void>;
  /** Answers one HTTP request; `ctx.progress` gets the head and then each body chunk. */
  fetch(req: RelayRequest, ctx: CallContext<RelayPart>): Promise<void>;
  /** Engine steps numbered above `after` (the most recent 4,000 at most). */
  steps(after: number): Promise<NumberedStep[]>;
}

/** 4 choices per request at most (they run one after another; each is one batched sequence). */
export const SERVER_MAX_N = 4;

/**
 * Builds the worker API. `source` overrides the shipped models (Node tests give a file loader).
 */
export function createOpenAIWorkerApi(source?: { models: () => Promise<ModelInfo[]>; loader: TinyLMLoader }): OpenAIWorkerApi {
  let handler: ((req: Request) => Promise<Response>) | null = null;
  let engine: ServingEngine | null = null;
  let count = 0;
  const log: NumberedStep[] = [];
  const start = (options: ServingInit) => {
    const { models, loader } = source ?? tinyLMCatalog(options.modelsBaseUrl);
    engine = createServingEngine({
      models,
      loader,
      maxBatch: options.maxBatch ?? 8,
      onStep: (s) => {
        log.push({ ...s, n: ++count });
        if (log.length > 4000) log.splice(0, log.length - 4000);
      },
    });
    handler = createOpenAIHandler({ engine, models, completer: engine.completer, maxN: SERVER_MAX_N });
  };
  return {
    async init(options) {
      if (engine) await engine.unload();
      start(options);
    },
    async fetch(r, ctx) {
      if (!handler) start({ modelsBaseUrl: new URL('models/', globalThis.location?.href ?? 'http://localhost/').href });
      const req = new Request(r.url, { method: r.method, headers: r.headers, body: r.body, signal: ctx.signal });
      const res = await handler!(req);
      await ctx.progress({ type: 'head', status: res.status, statusText: res.statusText, headers: [...res.headers] });
      if (!res.body) return;
      // A cancelled call aborted the request's signal above: the engine ends that reply at once
      // (finish_reason "abort", then [DONE]), so this loop ends soon after.
      const reader = res.body.getReader();
      for (let x = await reader.read(); !x.done; x = await reader.read()) await ctx.progress({ type: 'chunk', bytes: x.value });
    },
    async steps(after) {
      return log.filter((s) => s.n > after);
    },
  };
}
