/**
 * One side-by-side run of two GPU models on the same prompt (GpuCompare.svelte): the models run
 * one after the other, because two 7B models may not fit in GPU memory together. Asking the
 * engine source for the second model makes web-llm load it in place of the first (its `reload`
 * unloads what was loaded). Each side records its load time, time to first token, generation
 * time and token count; cancel stops the load or the generation in flight and skips the rest.
 */
import { asLabError, type LabError } from '../../lib/errors';
import type { ChatMessage, CompletionUsage, FinishReason, LoadProgress } from '../../lib/engine/types';
import type { EngineSource } from '../types';

export interface CompareParams {
  system: string;
  prompt: string;
  temperature: number;
  maxTokens: number;
  seed: number;
}

export type SidePhase = 'waiting' | 'loading' | 'generating' | 'done' | 'cancelled' | 'error';

export interface SideResult {
  modelId: string;
  phase: SidePhase;
  text: string;
  /** Completion tokens: the engine's usage figure, else the number of streamed pieces. */
  tokens: number;
  tokensFrom: 'usage' | 'chunks';
  loadMs: number | null;
  firstTokenMs: number | null;
  genMs: number | null;
  finish: FinishReason | null;
  progress: LoadProgress | null;
  error: LabError | null;
}

function fresh(modelId: string): SideResult {
  return { modelId, phase: 'waiting', text: '', tokens: 0, tokensFrom: 'chunks', loadMs: null, firstTokenMs: null, genMs: null, finish: null, progress: null, error: null };
}

/** Decode speed of a finished side in tokens per second (after the first token), or null. */
export function tokensPerSecond(s: Pick<SideResult, 'tokens' | 'firstTokenMs' | 'genMs'>): number | null {
  if (s.genMs == null || s.firstTokenMs == null || s.tokens < 2) return null;
  const decodeMs = s.genMs - s.firstTokenMs;
  return decodeMs > 0 ? ((s.tokens - 1) * 1000) / decodeMs : null;
}

export class CompareRun {
  sides = $state<SideResult[]>([]);
  running = $state(false);
  #ac: AbortController | null = null;

  constructor(
    private readonly engines: Pick<EngineSource, 'engineFor'>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The model this run loaded last (likely still on the GPU, unless another page loaded one since). */
  #lastLoaded: string | null = null;

  /**
   * Runs `ids` one after the other on the same request; true when every side finished. The model
   * loaded by the previous run goes first, which saves one load from the cache per run.
   */
  async run(ids: readonly string[], p: CompareParams): Promise<boolean> {
    if (this.running) return false;
    const ac = new AbortController();
    this.#ac = ac;
    this.sides = ids.map(fresh);
    this.running = true;
    const order = ids.map((_, i) => i);
    const warm = this.#lastLoaded ? ids.indexOf(this.#lastLoaded) : -1;
    if (warm > 0) order.unshift(...order.splice(warm, 1));
    try {
      for (const i of order) {
        if (ac.signal.aborted) {
          this.sides[i]!.phase = 'cancelled';
          continue;
        }
        await this.#runOne(this.sides[i]!, p, ac.signal);
        // A failed side does not stop the other: the learner still sees one reply and the error.
      }
    } finally {
      this.running = false;
      if (this.#ac === ac) this.#ac = null;
    }
    return this.sides.every((s) => s.phase === 'done');
  }

  /** Stops the load or generation in flight; the sides not started yet are skipped. */
  cancel(): void {
    this.#ac?.abort();
  }

  async #runOne(side: SideResult, p: CompareParams, signal: AbortSignal): Promise<void> {
    side.phase = 'loading';
    const t0 = this.now();
    const stop = (e: unknown) => {
      const err = asLabError(e);
      side.progress = null;
      if (signal.aborted || err.code === 'aborted') side.phase = 'cancelled';
      else {
        side.phase = 'error';
        side.error = err;
      }
    };
    let engine;
    try {
      engine = await this.engines.engineFor(side.modelId, (pr) => {
        side.progress = pr;
      }, { signal });
    } catch (e) {
      return stop(e);
    }
    side.loadMs = this.now() - t0;
    this.#lastLoaded = side.modelId;
    side.progress = null;
    if (signal.aborted) return void (side.phase = 'cancelled');
    side.phase = 'generating';
    const messages: ChatMessage[] = p.system.trim() ? [{ role: 'system', content: p.system }, { role: 'user', content: p.prompt }] : [{ role: 'user', content: p.prompt }];
    const t1 = this.now();
    let usage: CompletionUsage | undefined;
    let pieces = 0;
    try {
      const stream = await engine.chat.completions.create({ messages, stream: true, temperature: p.temperature, max_tokens: p.maxTokens, seed: p.seed, signal });
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        const delta = choice?.delta?.content;
        if (delta) {
          side.firstTokenMs ??= this.now() - t1;
          side.text += delta;
          pieces++;
        }
        if (choice?.finish_reason) side.finish = choice.finish_reason;
        if (chunk.usage) usage = chunk.usage;
      }
    } catch (e) {
      side.genMs = this.now() - t1;
      side.tokens = pieces;
      return stop(e);
    }
    side.genMs = this.now() - t1;
    side.tokens = usage?.completion_tokens ?? pieces;
    side.tokensFrom = usage ? 'usage' : 'chunks';
    side.phase = signal.aborted || side.finish === 'abort' ? 'cancelled' : 'done';
  }
}
