/**
 * The concurrency patterns of the async lab, written once over a plain `TokenSource` so the
 * same code drives a simulated stream or a real `ChatEngine` stream. Framework-free.
 */
import type { ChatEngine, ChatCompletionRequest } from '../../lib/engine/types';

/** Something that streams text pieces and stops early when `signal` aborts. */
export type TokenSource = (signal: AbortSignal) => AsyncIterable<string>;

export type Pattern = 'sequential' | 'concurrent' | 'race' | 'timeout';

export type LaneOutcome = 'done' | 'cancelled' | 'timeout' | 'lost-race' | 'error';

export interface LaneEvent {
  lane: number;
  /** ms since the run started */
  t: number;
  kind: 'start' | 'token' | 'end';
  text?: string;
  outcome?: LaneOutcome;
}

export interface RunResult {
  pattern: Pattern;
  elapsedMs: number;
  outcomes: LaneOutcome[];
  texts: string[];
  /** lane that won a race (-1 otherwise) */
  winner: number;
}

/** Sleeps `ms`, rejecting with the signal's reason when it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const id = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(id);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A simulated model call: emits the words of `text`, one every `msPerToken` (first after `latencyMs`). */
export function simulatedSource(text: string, msPerToken: number, latencyMs = 0): TokenSource {
  return async function* (signal) {
    await sleep(latencyMs, signal);
    const pieces = text.match(/\s*\S+/g) ?? [];
    for (const p of pieces) {
      await sleep(msPerToken, signal);
      yield p;
    }
  };
}

/** A real model call through the lab-wide engine interface (streamed, aborted by the signal). */
export function engineSource(engine: ChatEngine, req: Omit<ChatCompletionRequest, 'stream' | 'signal'>): TokenSource {
  return async function* (signal) {
    const stream = await engine.chat.completions.create({ ...req, stream: true, signal });
    for await (const chunk of stream) {
      if (signal.aborted) throw signal.reason;
      const piece = chunk.choices[0]?.delta.content;
      if (piece) yield piece;
      if (chunk.choices[0]?.finish_reason === 'abort') throw signal.reason ?? new DOMException('aborted', 'AbortError');
    }
  };
}

interface RunOptions {
  /** user's Cancel button */
  signal?: AbortSignal;
  /** per-call deadline for the 'timeout' pattern */
  timeoutMs?: number;
  onEvent?: (e: LaneEvent) => void;
  now?: () => number;
}

/** Why a lane stopped, from the error its stream threw. */
function outcomeOf(err: unknown, userSignal: AbortSignal | undefined, raceLost: boolean): LaneOutcome {
  if (raceLost) return 'lost-race';
  if (userSignal?.aborted) return 'cancelled';
  if (err instanceof DOMException && err.name === 'TimeoutError') return 'timeout';
  if (err instanceof DOMException && err.name === 'AbortError') return 'cancelled';
  return 'error';
}

/** Runs two or more sources with one of the patterns and reports every token as it arrives. */
export async function runPattern(pattern: Pattern, sources: TokenSource[], opts: RunOptions = {}): Promise<RunResult> {
  const now = opts.now ?? (() => performance.now());
  const t0 = now();
  const emit = (e: Omit<LaneEvent, 't'>) => opts.onEvent?.({ ...e, t: now() - t0 });
  const texts = sources.map(() => '');
  const outcomes: LaneOutcome[] = sources.map(() => 'done');
  // One controller per lane, chained to the user's Cancel: aborting a lane never touches the others.
  const lanes = sources.map(() => new AbortController());
  const onUserAbort = () => lanes.forEach((c) => c.abort(opts.signal?.reason));
  opts.signal?.addEventListener('abort', onUserAbort, { once: true });
  let winner = -1;

  async function runLane(i: number): Promise<number> {
    const signals = [lanes[i]!.signal];
    if (pattern === 'timeout') signals.push(AbortSignal.timeout(opts.timeoutMs ?? 1000));
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0]!;
    emit({ lane: i, kind: 'start' });
    try {
      for await (const piece of sources[i]!(signal)) {
        texts[i] += piece;
        emit({ lane: i, kind: 'token', text: piece });
      }
      emit({ lane: i, kind: 'end', outcome: 'done' });
      return i;
    } catch (err) {
      const raceLost = pattern === 'race' && winner !== -1 && winner !== i;
      outcomes[i] = outcomeOf(signal.reason ?? err, opts.signal, raceLost);
      emit({ lane: i, kind: 'end', outcome: outcomes[i] });
      throw err;
    }
  }

  try {
    if (pattern === 'sequential') {
      // One after the other: total time is the sum.
      for (let i = 0; i < sources.length; i++) {
        if (opts.signal?.aborted) {
          outcomes[i] = 'cancelled';
          continue;
        }
        await runLane(i).catch(() => undefined);
      }
    } else if (pattern === 'race') {
      // First to finish wins; the others are cancelled so they stop costing tokens.
      const settled = sources.map((_, i) =>
        runLane(i).then((lane) => {
          if (winner === -1) {
            winner = lane;
            lanes.forEach((c, j) => j !== lane && c.abort(new DOMException('lost the race', 'AbortError')));
          }
        }),
      );
      await Promise.allSettled(settled);
    } else {
      // 'concurrent' and 'timeout': all at once; total time is the slowest lane (or the deadline).
      await Promise.allSettled(sources.map((_, i) => runLane(i)));
    }
  } finally {
    opts.signal?.removeEventListener('abort', onUserAbort);
  }
  return { pattern, elapsedMs: now() - t0, outcomes, texts, winner };
}
