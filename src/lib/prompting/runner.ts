/**
 * Runs a prompt N times with consecutive seeds, one request at a time (in-browser engines serve
 * one generation at a time), reporting each run as it finishes and stopping on abort.
 */
import type { ChatCompletion, ChatCompletionRequest, ChatEngine, ChatMessage } from '../engine/types';
import { EngineError, serializeError } from '../engine/errors';
import { extractAnswer } from './builders';

export interface RunResult {
  seed: number;
  reply: string;
  /** extracted final answer */
  answer: string;
  ms: number;
  completionTokens?: number;
  error?: string;
}

export interface RunOptions {
  n: number;
  /** run i uses seed baseSeed + i, so the whole set is reproducible */
  baseSeed: number;
  params?: Partial<ChatCompletionRequest>;
  signal?: AbortSignal;
  onResult?(r: RunResult, index: number): void;
  now?: () => number;
}

/** The seeds used for N runs. */
export function seedsFor(baseSeed: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => baseSeed + i);
}

/** Runs `messages` N times; an engine error is recorded per run (not thrown), an abort throws. */
export async function runRepeated(engine: ChatEngine, messages: ChatMessage[], opts: RunOptions): Promise<RunResult[]> {
  const now = opts.now ?? (() => performance.now());
  const results: RunResult[] = [];
  for (const [i, seed] of seedsFor(opts.baseSeed, opts.n).entries()) {
    if (opts.signal?.aborted) throw new EngineError('aborted', 'Stopped.');
    const t0 = now();
    let r: RunResult;
    try {
      const res = (await engine.chat.completions.create({ ...opts.params, messages, seed, stream: false, signal: opts.signal })) as ChatCompletion;
      const content = res.choices[0]?.message.content;
      const reply = typeof content === 'string' ? content : '';
      r = { seed, reply, answer: extractAnswer(reply), ms: now() - t0, completionTokens: res.usage?.completion_tokens };
    } catch (e) {
      if (opts.signal?.aborted || (e instanceof EngineError && e.code === 'aborted')) throw e;
      r = { seed, reply: '', answer: '', ms: now() - t0, error: serializeError(e).message };
    }
    results.push(r);
    opts.onResult?.(r, i);
  }
  return results;
}
