/**
 * Consumes a streamed chat completion and hands the UI at most one update per animation frame.
 *
 * A fast backend can deliver hundreds of chunks between two frames; re-rendering for each one
 * is what makes chat UIs stutter. The accumulator absorbs every chunk immediately (cheap string
 * appends) and a scheduler — `requestAnimationFrame` in the page, a timer in Node — flushes a
 * snapshot to the UI once per frame. The final state is always flushed, synchronously, at the end.
 */
import type { ChatCompletionChunk, CompletionUsage, FinishReason, TokenLogprob } from '../engine/types';
import { computeStats, type MessageStats } from './stats';

/** Schedules one callback per frame; `cancel` drops a pending one. */
export interface FrameScheduler {
  request(cb: () => void): number;
  cancel(handle: number): void;
}

/** Runs every update at once: one UI update per chunk (the unbatched baseline). */
export const immediateScheduler: FrameScheduler = {
  request: (cb) => {
    cb();
    return 0;
  },
  cancel: () => {},
};

/** A scheduler for Node and tests: a timer of `ms` (16 ms ≈ one frame). */
export function timerScheduler(ms = 16): FrameScheduler {
  return {
    request: (cb) => setTimeout(cb, ms) as unknown as number,
    cancel: (h) => clearTimeout(h as unknown as ReturnType<typeof setTimeout>),
  };
}

/** Accumulates deltas, logprobs, finish reason and usage from chunks. */
export class StreamAccumulator {
  content = '';
  tokens: TokenLogprob[] = [];
  finishReason: FinishReason | null = null;
  usage: CompletionUsage | undefined;
  model = '';
  /** chunks that carried content */
  contentChunks = 0;
  firstTokenAt: number | undefined;

  /** Adds one chunk; `now` is the clock reading when it arrived. */
  push(chunk: ChatCompletionChunk, now: number): void {
    if (chunk.model) this.model = chunk.model;
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) return;
    const delta = choice.delta?.content;
    if (delta) {
      if (this.firstTokenAt === undefined) this.firstTokenAt = now;
      this.content += delta;
      this.contentChunks++;
    }
    const lp = choice.logprobs?.content;
    if (lp && lp.length) for (const t of lp) this.tokens.push(t);
    if (choice.finish_reason) this.finishReason = choice.finish_reason;
  }
}

export interface StreamSnapshot {
  content: string;
  /** all token logprobs so far (same array instance grows; copy if you keep it) */
  tokens: TokenLogprob[];
  done: boolean;
}

export interface StreamResult {
  content: string;
  tokens: TokenLogprob[];
  finishReason: FinishReason | null;
  usage?: CompletionUsage;
  model: string;
  stats: MessageStats;
  /** how many UI updates were made (for tests and the benchmark) */
  flushes: number;
  /** set when the stream threw; content holds what arrived before */
  error?: unknown;
}

export interface ConsumeOptions {
  onUpdate(s: StreamSnapshot): void;
  scheduler: FrameScheduler;
  /** ms clock, defaults to performance.now */
  now?: () => number;
  /** when the request was sent (defaults to the call time) */
  startedAt?: number;
  /** stop reading early; the result gets finish reason 'abort' */
  signal?: AbortSignal;
}

/** Reads the whole stream, batching UI updates per frame; never throws (errors land in `error`). */
export async function consumeStream(stream: AsyncIterable<ChatCompletionChunk>, opts: ConsumeOptions): Promise<StreamResult> {
  const now = opts.now ?? (() => performance.now());
  const startedAt = opts.startedAt ?? now();
  const acc = new StreamAccumulator();
  let pending: number | null = null;
  let flushes = 0;
  const flush = (done: boolean) => {
    flushes++;
    opts.onUpdate({ content: acc.content, tokens: acc.tokens, done });
  };
  let error: unknown;
  try {
    for await (const chunk of stream) {
      acc.push(chunk, now());
      if (opts.signal?.aborted) break;
      if (pending === null) {
        // A scheduler may run the callback synchronously (per-chunk updates, used as a baseline).
        let ran = false;
        const handle = opts.scheduler.request(() => {
          ran = true;
          pending = null;
          flush(false);
        });
        if (!ran) pending = handle;
      }
    }
  } catch (e) {
    error = e;
  }
  if (pending !== null) opts.scheduler.cancel(pending);
  if (opts.signal?.aborted && !acc.finishReason) acc.finishReason = 'abort';
  flush(true);
  const endedAt = now();
  return {
    content: acc.content,
    tokens: acc.tokens,
    finishReason: acc.finishReason ?? (error ? null : 'stop'),
    usage: acc.usage,
    model: acc.model,
    stats: computeStats({ startedAt, firstTokenAt: acc.firstTokenAt, endedAt, chunks: acc.contentChunks }, acc.usage),
    flushes,
    error,
  };
}
