/**
 * Runs the prompting lab's comparison: every chosen variant N times with seeds, one request at
 * a time, with progress, cancel and per-variant agreement. Results are not part of the shared
 * state (they are model outputs); the settings that reproduce them are.
 */
import { EngineError, explainError } from '../../lib/engine/errors';
import { agreement, type AgreementStats } from '../../lib/prompting/agreement';
import { runRepeated, type RunResult } from '../../lib/prompting/runner';
import { variantMessages, VARIANTS, type VariantId } from '../../lib/prompting/variants';
import type { EngineHandle } from '../../ui/chat/engine-access';
import type { PromptingState } from './meta';

export interface VariantOutcome {
  id: VariantId;
  runs: RunResult[];
  stats: AgreementStats | null;
}

export class PromptingRun {
  running = $state(false);
  done = $state(0);
  total = $state(0);
  results = $state.raw<VariantOutcome[]>([]);
  error = $state<string | null>(null);
  /** model the current results came from */
  modelId = $state('');
  /** every variant completed in this visit (for the auto-ticked tasks) */
  ran = $state.raw<VariantId[]>([]);
  #abort: AbortController | null = null;
  #engine: EngineHandle['engine'] | null = null;

  /** Runs the comparison; resolves when done, stopped or failed. */
  async run(state: PromptingState, getEngine: () => Promise<EngineHandle>): Promise<boolean> {
    if (this.running) return false;
    const variants = VARIANTS_ORDER.filter((v) => state.variants.includes(v));
    if (!variants.length) {
      this.error = 'Choose at least one variant to run.';
      return false;
    }
    if (!state.question.trim()) {
      this.error = 'Write a question first.';
      return false;
    }
    this.error = null;
    this.running = true;
    this.done = 0;
    this.total = variants.length * state.runs;
    const abort = new AbortController();
    this.#abort = abort;
    const input = { question: state.question, examples: state.examples, systemA: state.systemA, systemB: state.systemB, format: state.format };
    const out: VariantOutcome[] = variants.map((id) => ({ id, runs: [], stats: null }));
    this.results = out;
    let completed = false;
    const failed: string[] = [];
    try {
      const handle = await getEngine();
      this.#engine = handle.engine;
      this.modelId = handle.modelId;
      for (const [k, id] of variants.entries()) {
        const runs = await runRepeated(handle.engine, variantMessages(id, input), {
          n: state.runs,
          baseSeed: state.seed,
          params: { temperature: state.temperature, max_tokens: state.maxTokens },
          signal: abort.signal,
          onResult: (r) => {
            out[k] = { ...out[k], runs: [...out[k].runs, r] };
            out[k].stats = agreement(out[k].runs.filter((x) => !x.error).map((x) => x.answer), state.expected || undefined);
            this.results = [...out];
            this.done++;
          },
        });
        // A variant whose every run failed (e.g. its prompt overflows a tiny context window) is
        // reported and skipped; the other variants still run.
        if (runs.every((r) => r.error)) failed.push(`${VARIANTS[id].label}: ${runs[0].error}`);
        else this.ran = [...new Set([...this.ran, id])];
      }
      if (failed.length) this.error = `Some variants failed. ${failed.join(' ')}`;
      completed = failed.length < variants.length;
    } catch (e) {
      const stopped = abort.signal.aborted || (e instanceof EngineError && e.code === 'aborted');
      if (!stopped) {
        this.error = explainError(e);
      }
    } finally {
      this.running = false;
      this.#abort = null;
    }
    return completed;
  }

  stop(): void {
    this.#abort?.abort();
    void this.#engine?.interrupt().catch(() => {});
  }
}

const VARIANTS_ORDER = Object.keys(VARIANTS) as VariantId[];
