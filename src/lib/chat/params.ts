/**
 * Sampling parameters of the chat playground and their translation into an OpenAI-shaped
 * request. Also parses the two free-text fields (stop sequences, logit bias) with clear errors.
 */
import type { ChatCompletionRequest } from '../engine/types';

export interface ChatParams {
  temperature: number;
  top_p: number;
  max_tokens: number;
  /** null = no seed (the engine picks one; runs differ) */
  seed: number | null;
  presence_penalty: number;
  frequency_penalty: number;
  /** 1 = off (multiplicative, llama.cpp / web-llm style) */
  repetition_penalty: number;
  stop: string[];
  /** token id (as a string) → bias added to its logit, -100..100 */
  logit_bias: Record<string, number>;
  /** ask for logprobs so the UI can colour tokens by probability */
  logprobs: boolean;
  top_logprobs: number;
}

/** Sensible defaults for a chat (fresh object each call). */
export function defaultParams(): ChatParams {
  return {
    temperature: 0.7,
    top_p: 0.95,
    max_tokens: 256,
    seed: null,
    presence_penalty: 0,
    frequency_penalty: 0,
    repetition_penalty: 1,
    stop: [],
    logit_bias: {},
    logprobs: false,
    top_logprobs: 5,
  };
}

/**
 * Parameters read from storage or a file: each known key kept only when it has the right type
 * (finite numbers, a list of strings, a map of finite biases), else its default. A stored
 * `temperature: "hot"` must not break the page that shows it.
 */
export function sanitizeParams(raw: unknown): ChatParams {
  const out = defaultParams();
  if (!raw || typeof raw !== 'object') return out;
  const r = raw as Record<string, unknown>;
  const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
  for (const k of ['temperature', 'top_p', 'max_tokens', 'presence_penalty', 'frequency_penalty', 'repetition_penalty', 'top_logprobs'] as const) {
    if (num(r[k])) out[k] = r[k];
  }
  if (r.seed === null || num(r.seed)) out.seed = r.seed as number | null;
  if (typeof r.logprobs === 'boolean') out.logprobs = r.logprobs;
  if (Array.isArray(r.stop) && r.stop.every((x) => typeof x === 'string')) out.stop = r.stop.slice(0, PARAM_LIMITS.stopSequences) as string[];
  if (r.logit_bias && typeof r.logit_bias === 'object' && !Array.isArray(r.logit_bias)) {
    out.logit_bias = Object.fromEntries(Object.entries(r.logit_bias as Record<string, unknown>).filter(([id, b]) => /^\d+$/.test(id) && num(b))) as Record<string, number>;
  }
  return out;
}

/** Limits the UI and validation share (OpenAI's documented ranges). */
export const PARAM_LIMITS = {
  temperature: [0, 2],
  top_p: [0, 1],
  max_tokens: [1, 8192],
  presence_penalty: [-2, 2],
  frequency_penalty: [-2, 2],
  repetition_penalty: [0.5, 2],
  top_logprobs: [1, 20],
  logit_bias: [-100, 100],
  stopSequences: 4,
} as const;

function clamp(x: number, [lo, hi]: readonly [number, number]): number {
  return Math.min(hi, Math.max(lo, x));
}

/** Request fields for these parameters; neutral values are left out so every backend accepts them. */
export function requestFromParams(p: ChatParams): Partial<ChatCompletionRequest> {
  const req: Partial<ChatCompletionRequest> = {
    temperature: clamp(p.temperature, PARAM_LIMITS.temperature),
    top_p: clamp(p.top_p, PARAM_LIMITS.top_p),
    max_tokens: Math.round(clamp(p.max_tokens, PARAM_LIMITS.max_tokens)),
  };
  if (p.seed !== null && Number.isFinite(p.seed)) req.seed = Math.trunc(p.seed);
  if (p.presence_penalty) req.presence_penalty = clamp(p.presence_penalty, PARAM_LIMITS.presence_penalty);
  if (p.frequency_penalty) req.frequency_penalty = clamp(p.frequency_penalty, PARAM_LIMITS.frequency_penalty);
  if (p.repetition_penalty !== 1) req.repetition_penalty = clamp(p.repetition_penalty, PARAM_LIMITS.repetition_penalty);
  const stop = p.stop.filter((s) => s.length > 0).slice(0, PARAM_LIMITS.stopSequences);
  if (stop.length) req.stop = stop;
  if (Object.keys(p.logit_bias).length) req.logit_bias = { ...p.logit_bias };
  if (p.logprobs) {
    req.logprobs = true;
    req.top_logprobs = Math.round(clamp(p.top_logprobs, PARAM_LIMITS.top_logprobs));
  }
  return req;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Parses stop sequences, one per line. `\n` and `\t` written as two characters become the
 * control characters, so a learner can stop on a newline.
 */
export function parseStop(text: string): Parsed<string[]> {
  const lines = text
    .split('\n')
    .map((l) => l.replace(/\\n/g, '\n').replace(/\\t/g, '\t'))
    .filter((l) => l.length > 0);
  if (lines.length > PARAM_LIMITS.stopSequences) {
    return { ok: false, error: `At most ${PARAM_LIMITS.stopSequences} stop sequences (OpenAI's limit); you gave ${lines.length}.` };
  }
  return { ok: true, value: lines };
}

/** The inverse of `parseStop`, for showing stored stop sequences in a textarea. */
export function formatStop(stop: string[]): string {
  return stop.map((s) => s.replace(/\n/g, '\\n').replace(/\t/g, '\\t')).join('\n');
}

/**
 * Parses a logit bias written as `id: bias` pairs (comma or newline separated) or as a JSON
 * object `{"50256": -100}`. Token ids must be non-negative integers, biases -100..100.
 */
export function parseLogitBias(text: string): Parsed<Record<string, number>> {
  const trimmed = text.trim();
  if (!trimmed) return { ok: true, value: {} };
  let pairs: Array<[string, unknown]>;
  if (trimmed.startsWith('{')) {
    try {
      const obj: unknown = JSON.parse(trimmed);
      if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return { ok: false, error: 'Logit bias JSON must be an object like {"42": -100}.' };
      pairs = Object.entries(obj as Record<string, unknown>);
    } catch (e) {
      return { ok: false, error: `Logit bias is not valid JSON: ${(e as Error).message}` };
    }
  } else {
    pairs = [];
    for (const part of trimmed.split(/[,\n]/)) {
      const item = part.trim();
      if (!item) continue;
      const m = /^(\S+)\s*[:=]\s*(\S+)$/.exec(item);
      if (!m) return { ok: false, error: `Cannot read "${item}": write token id and bias as "id: bias", e.g. "198: -100".` };
      pairs.push([m[1], Number(m[2])]);
    }
  }
  const out: Record<string, number> = {};
  for (const [id, bias] of pairs) {
    if (!/^\d+$/.test(id)) return { ok: false, error: `"${id}" is not a token id (a non-negative integer).` };
    if (typeof bias !== 'number' || !Number.isFinite(bias)) return { ok: false, error: `The bias for token ${id} is not a number.` };
    if (bias < PARAM_LIMITS.logit_bias[0] || bias > PARAM_LIMITS.logit_bias[1]) {
      return { ok: false, error: `The bias for token ${id} is ${bias}; it must lie between -100 and 100.` };
    }
    out[String(Number(id))] = bias;
  }
  return { ok: true, value: out };
}

/** The inverse of `parseLogitBias` (the `id: bias` form). */
export function formatLogitBias(bias: Record<string, number>): string {
  return Object.entries(bias)
    .map(([id, b]) => `${id}: ${b}`)
    .join(', ');
}
