/**
 * Reliable structured output, the "Pydantic parsing" idea in TypeScript:
 *   ask for JSON → extract → validate against a JSON Schema → on failure, show the model its
 *   own reply and the exact error and ask again, up to N attempts.
 * Optionally the engine is asked for constrained decoding (`response_format: json_schema`), which
 * makes invalid JSON impossible on engines that support it; the loop still validates.
 */
import type { ChatCompletion, ChatCompletionRequest, ChatEngine, ChatMessage, JSONSchema } from '../engine/types';
import { EngineError, explainError } from '../engine/errors';
import { extractJson } from './json';
import { formatIssues, type CompiledSchema, type ValidationIssue } from './validate';

export type AttemptStage = 'ok' | 'parse' | 'validate' | 'engine';

export interface StructuredAttempt {
  reply: string;
  stage: AttemptStage;
  /** what went wrong, in words (also what the re-prompt tells the model) */
  error?: string;
  issues?: ValidationIssue[];
  value?: unknown;
  ms: number;
}

export interface StructuredResult {
  ok: boolean;
  value?: unknown;
  attempts: StructuredAttempt[];
}

export interface StructuredOptions {
  schema: CompiledSchema;
  /** attempts including the first; 1 = no retry */
  maxAttempts: number;
  /** ask for `response_format: {type: 'json_schema'}` (constrained decoding) */
  constrained: boolean;
  /** sampling fields (temperature, seed, max_tokens, …) */
  params?: Partial<ChatCompletionRequest>;
  signal?: AbortSignal;
  now?: () => number;
  /** longest stretch of a failed reply echoed back in the re-prompt (chars; small context windows) */
  echoLimit?: number;
  /**
   * 'repair' (default): append the failed reply and the error, and ask again — for models that
   * can read feedback. 'resample': ask the original prompt again with a new seed — for a small
   * model that never saw a repair conversation and has no room for one (TinyLM: 256 tokens).
   */
  retry?: 'repair' | 'resample';
}

/** The system-prompt text that asks for JSON matching the schema. */
export function schemaInstruction(schema: JSONSchema): string {
  return [
    'Reply with a single JSON value and nothing else: no prose, no code fences.',
    'It must validate against this JSON Schema:',
    JSON.stringify(schema),
  ].join('\n');
}

/** The user message that shows the model its mistake (the re-prompt). */
export function repairPrompt(attempt: StructuredAttempt): string {
  const what = attempt.stage === 'parse' ? 'was not valid JSON' : 'did not match the schema';
  return `Your previous reply ${what}:\n${attempt.error ?? ''}\nReply again with only the corrected JSON.`;
}

/** One structured call: generate, parse, validate, and re-prompt with the error until valid or out of attempts. */
export async function generateStructured(engine: ChatEngine, messages: ChatMessage[], opts: StructuredOptions): Promise<StructuredResult> {
  const now = opts.now ?? (() => performance.now());
  const attempts: StructuredAttempt[] = [];
  const convo = [...messages];
  const maxAttempts = Math.max(1, Math.floor(opts.maxAttempts));
  for (let k = 0; k < maxAttempts; k++) {
    if (opts.signal?.aborted) throw new EngineError('aborted', 'Stopped.');
    const t0 = now();
    let reply: string;
    try {
      const req: ChatCompletionRequest & { stream: false } = {
        ...opts.params,
        // A different seed per retry: re-asking with the same seed and a similar prompt tends to repeat the mistake.
        ...(opts.params?.seed !== undefined ? { seed: opts.params.seed + k } : {}),
        messages: [...convo],
        stream: false,
        signal: opts.signal,
      };
      if (opts.constrained) req.response_format = { type: 'json_schema', json_schema: { name: 'answer', schema: opts.schema.schema as JSONSchema, strict: true } };
      const res = (await engine.chat.completions.create(req)) as ChatCompletion;
      const content = res.choices[0]?.message.content;
      reply = typeof content === 'string' ? content : '';
    } catch (e) {
      if (opts.signal?.aborted || (e instanceof EngineError && e.code === 'aborted')) throw e;
      attempts.push({ reply: '', stage: 'engine', error: explainError(e), ms: now() - t0 });
      // An engine failure (unsupported option, model not loaded) will not fix itself on retry.
      return { ok: false, attempts };
    }
    const ms = now() - t0;
    const parsed = extractJson(reply);
    let attempt: StructuredAttempt;
    if (!parsed.ok) {
      attempt = { reply, stage: 'parse', error: parsed.error, ms };
    } else {
      const issues = opts.schema.validate(parsed.value);
      attempt = issues.length
        ? { reply, stage: 'validate', error: formatIssues(issues), issues, value: parsed.value, ms }
        : { reply, stage: 'ok', value: parsed.value, ms };
    }
    attempts.push(attempt);
    if (attempt.stage === 'ok') return { ok: true, value: attempt.value, attempts };
    if (opts.retry === 'resample') continue; // same prompt, next seed
    const echo = opts.echoLimit !== undefined && reply.length > opts.echoLimit ? `${reply.slice(0, opts.echoLimit)}…` : reply;
    convo.push({ role: 'assistant', content: echo }, { role: 'user', content: repairPrompt(attempt) });
  }
  return { ok: false, attempts };
}

export interface StructuredSummary {
  runs: number;
  /** share of runs that ended with valid JSON */
  successRate: number;
  /** share valid on the first attempt (what you get without the retry loop) */
  firstTryRate: number;
  /** successByAttempt[k] = share of runs valid within k+1 attempts (cumulative) */
  successByAttempt: number[];
  meanAttempts: number;
  /** how each failed attempt failed, counted over all attempts */
  failures: { parse: number; validate: number; engine: number };
}

/** Success rate and failure breakdown over many structured runs. */
export function summarizeStructured(results: StructuredResult[], maxAttempts: number): StructuredSummary {
  const runs = results.length;
  const byAttempt = new Array<number>(Math.max(1, maxAttempts)).fill(0);
  const failures = { parse: 0, validate: 0, engine: 0 };
  let attemptsTotal = 0;
  for (const r of results) {
    attemptsTotal += r.attempts.length;
    for (const a of r.attempts) if (a.stage !== 'ok') failures[a.stage]++;
    if (r.ok) for (let k = r.attempts.length - 1; k < byAttempt.length; k++) byAttempt[k]++;
  }
  const share = (x: number) => (runs ? x / runs : 0);
  return {
    runs,
    successRate: share(results.filter((r) => r.ok).length),
    firstTryRate: share(byAttempt[0]),
    successByAttempt: byAttempt.map(share),
    meanAttempts: runs ? attemptsTotal / runs : 0,
    failures,
  };
}
