/**
 * The trace hook every lab gets through `ctx.trace` (LabContext). Span names follow the
 * OpenTelemetry GenAI semantic conventions (`gen_ai.operation.name`: chat, text_completion,
 * embeddings, execute_tool) plus the lab's own retrieval and run spans, so the 3.4 (LLMOps)
 * lesson can record them as LangSmith-like traces without touching the labs.
 *
 * Until a sink is installed, `noopTrace` records nothing: labs may call it freely.
 */

/** What a span measures (OpenTelemetry GenAI operation names, and two of our own). */
export type SpanOperation = 'chat' | 'text_completion' | 'embeddings' | 'execute_tool' | 'retrieval' | 'lab.run';

/** Span attributes, with the GenAI conventions' keys suggested (any other key is allowed). */
export interface SpanAttributes {
  'gen_ai.request.model'?: string;
  'gen_ai.request.temperature'?: number;
  'gen_ai.request.max_tokens'?: number;
  'gen_ai.usage.input_tokens'?: number;
  'gen_ai.usage.output_tokens'?: number;
  'gen_ai.response.finish_reasons'?: string[];
  'lab.id'?: string;
  [key: string]: string | number | boolean | string[] | undefined;
}

/** One span in flight. `end()` closes it; with `error` it is recorded as failed. */
export interface TraceSpan {
  setAttributes(attributes: SpanAttributes): void;
  end(outcome?: { error?: unknown }): void;
}

/** Where labs open spans. `name` defaults to `${operation} ${model}` as OpenTelemetry names GenAI spans. */
export interface LabTrace {
  start(operation: SpanOperation, attributes?: SpanAttributes, name?: string): TraceSpan;
}

const NOOP_SPAN: TraceSpan = { setAttributes() {}, end() {} };

/** A trace that records nothing (the default until the 3.4 lesson installs a sink). */
export const noopTrace: LabTrace = { start: () => NOOP_SPAN };

/** A finished span as a recording sink keeps it (what tests and the 3.4 lesson read). */
export interface RecordedSpan {
  name: string;
  operation: SpanOperation;
  attributes: SpanAttributes;
  startMs: number;
  endMs: number;
  error?: string;
}

/** A trace that keeps every finished span in `spans` (tests; the base of a real sink). */
export function recordingTrace(now: () => number = () => performance.now()): LabTrace & { spans: RecordedSpan[] } {
  const spans: RecordedSpan[] = [];
  return {
    spans,
    start(operation, attributes = {}, name) {
      const attrs: SpanAttributes = { ...attributes };
      const startMs = now();
      let done = false;
      return {
        setAttributes: (a) => void Object.assign(attrs, a),
        end(outcome) {
          if (done) return;
          done = true;
          const model = attrs['gen_ai.request.model'];
          const error = outcome?.error === undefined ? undefined : outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
          spans.push({ name: name ?? (model ? `${operation} ${model}` : operation), operation, attributes: attrs, startMs, endMs: now(), ...(error !== undefined ? { error } : {}) });
        },
      };
    },
  };
}
