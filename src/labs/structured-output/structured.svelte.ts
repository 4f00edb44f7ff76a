/**
 * Runs the structured-output loop N times with seeds and keeps each run's attempts, the
 * summary, and a short history of earlier runs (so "with retries" vs "without", or constrained
 * vs free decoding, can be compared).
 */
import { EngineError, explainError } from '../../lib/engine/errors';
import type { ChatMessage } from '../../lib/engine/types';
import { generateStructured, schemaInstruction, summarizeStructured, type StructuredResult, type StructuredSummary } from '../../lib/prompting/retry';
import type { CompiledSchema } from '../../lib/prompting/validate';
import type { EngineHandle } from '../../ui/chat/engine-access';
import type { StructuredState } from './meta';

export interface HistoryEntry {
  at: number;
  model: string;
  constrained: boolean;
  maxAttempts: number;
  summary: StructuredSummary;
}

/**
 * The messages of one structured call: the schema instruction as system prompt, the task as user
 * message. `compact` (for tiny context windows) leaves the schema out of the prompt.
 */
export function structuredMessages(schema: CompiledSchema, task: string, compact = false): ChatMessage[] {
  // A task that already asks for JSON (TinyLM's trained "Return JSON with the keys …") goes as is:
  // an extra instruction line is text the small model never saw.
  if (compact) return [{ role: 'user', content: /\bJSON\b/.test(task) ? task : `${task}\nReply with JSON only.` }];
  return [
    { role: 'system', content: schemaInstruction(schema.schema as Record<string, unknown>) },
    { role: 'user', content: task },
  ];
}

export class StructuredRun {
  running = $state(false);
  results = $state.raw<StructuredResult[]>([]);
  planned = $state(0);
  summary = $state.raw<StructuredSummary | null>(null);
  history = $state.raw<HistoryEntry[]>([]);
  error = $state<string | null>(null);
  modelId = $state('');
  #abort: AbortController | null = null;
  #engine: EngineHandle['engine'] | null = null;

  /** Runs N structured calls; resolves true when all completed. */
  async run(state: StructuredState, schema: CompiledSchema, getEngine: () => Promise<EngineHandle>, isCompact: () => boolean = () => false): Promise<boolean> {
    if (this.running) return false;
    this.error = null;
    this.running = true;
    this.results = [];
    this.summary = null;
    this.planned = state.runs;
    const abort = new AbortController();
    this.#abort = abort;
    let completed = false;
    try {
      const handle = await getEngine();
      // Decided once the model is loaded: its context window is known only then.
      const compact = isCompact();
      const messages = structuredMessages(schema, state.task, compact);
      this.#engine = handle.engine;
      this.modelId = handle.modelId;
      for (let i = 0; i < state.runs; i++) {
        const r = await generateStructured(handle.engine, messages, {
          schema,
          maxAttempts: state.maxAttempts,
          constrained: state.constrained,
          params: { temperature: state.temperature, max_tokens: state.maxTokens, seed: state.seed + i * 100 },
          signal: abort.signal,
          echoLimit: compact ? 120 : undefined,
          retry: compact ? 'resample' : 'repair',
        });
        this.results = [...this.results, r];
        this.summary = summarizeStructured(this.results, state.maxAttempts);
        // An engine error repeats on every run (e.g. response_format unsupported): stop and explain.
        if (r.attempts[0]?.stage === 'engine') throw new Error(r.attempts[0].error);
      }
      completed = true;
      this.history = [
        { at: Date.now(), model: handle.modelId, constrained: state.constrained, maxAttempts: state.maxAttempts, summary: this.summary! },
        ...this.history,
      ].slice(0, 8);
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
