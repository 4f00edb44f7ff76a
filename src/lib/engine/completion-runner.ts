/**
 * Backend-independent plumbing that turns a stream of generated tokens into OpenAI shapes:
 * ids, `created`, streamed chunks or one completion, stop sequences, tool-call parsing,
 * abort handling, `n` choices, and `usage` with timings. A backend only supplies a
 * `ChoiceSource`: an async iterator of decoded token pieces per choice.
 */
import { StopSequenceMatcher } from '../sampling/stop';
import { parseToolCalls, ToolCallStreamSplitter } from './tool-calls';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  ChatMessage,
  CompletionUsage,
  FinishReason,
  TokenLogprob,
  ToolCall,
} from './types';

/** One generated token: its decoded text piece (may be '' mid UTF-8 sequence) and optional logprob. */
export interface TokenEvent {
  text: string;
  logprob?: TokenLogprob;
}

/** Filled in by the source as it works (the runner derives `usage` from it). */
export interface GenerationStats {
  promptTokens: number;
  completionTokens: number;
  /** Seconds spent on prefill (prompt processing). */
  prefillS?: number;
  /** Prompt tokens actually run through the model (fewer when a prefix cache hit). */
  prefillTokens?: number;
  /** Prompt tokens served from a prefix cache. */
  cachedPromptTokens?: number;
  /** Batching backends: forward passes this choice ran in, and the sequences in them summed. */
  batchSteps?: number;
  batchSum?: number;
}

/** What a source's iterator returns when it ends by itself. */
export type SourceEnd = 'stop' | 'length';

/** Generates one choice; must check `signal` between tokens (and may end early on it). */
export type ChoiceSource = (
  index: number,
  stats: GenerationStats,
  signal: AbortSignal,
) => AsyncIterator<TokenEvent, SourceEnd | void>;

export interface RunOptions {
  model: string;
  /** Prefix of completion ids, e.g. 'chatcmpl-tinylm'. */
  idPrefix: string;
  source: ChoiceSource;
  signal: AbortSignal;
  /** Clock in seconds (injectable for tests). */
  now?: () => number;
  /** Non-streaming: drive all n choices at once (a batching backend decodes them together). */
  parallelChoices?: boolean;
}

let counter = 0;
/** A unique completion id. */
export function completionId(prefix: string): string {
  counter = (counter + 1) % 1e9;
  return `${prefix}-${Date.now().toString(36)}${counter.toString(36)}`;
}

const defaultNow = () => (globalThis.performance?.now() ?? Date.now()) / 1000;

interface ChoiceOutcome {
  content: string;
  toolCalls: ToolCall[];
  finish: FinishReason;
  logprobs: TokenLogprob[] | null;
}

/** Runs a request to completion (non-streaming) or as a chunk stream (`req.stream`). */
export function runCompletion(
  req: ChatCompletionRequest,
  opts: RunOptions,
): Promise<ChatCompletion> | AsyncIterable<ChatCompletionChunk> {
  return req.stream ? streamCompletion(req, opts) : collectCompletion(req, opts);
}

/** Drives one choice, calling `onDelta` for each visible piece; returns the outcome. */
async function driveChoice(
  req: ChatCompletionRequest,
  opts: RunOptions,
  index: number,
  stats: GenerationStats,
  timing: { start: number; first?: number; last?: number },
  onDelta: (content: string, toolCalls: ToolCall[], logprob: TokenLogprob | undefined) => void | Promise<void>,
): Promise<ChoiceOutcome> {
  const now = opts.now ?? defaultNow;
  const stop = new StopSequenceMatcher(req.stop);
  const useTools = !!req.tools?.length && req.tool_choice !== 'none';
  const splitter = useTools ? new ToolCallStreamSplitter(`${opts.idPrefix.replace(/\W/g, '')}${index}`) : null;
  const it = opts.source(index, stats, opts.signal);
  let content = '';
  const toolCalls: ToolCall[] = [];
  const logprobs: TokenLogprob[] = [];
  let finish: FinishReason = 'stop';
  const emit = async (text: string, lp: TokenLogprob | undefined) => {
    let shown = text;
    let calls: ToolCall[] = [];
    if (splitter) ({ content: shown, toolCalls: calls } = splitter.push(text));
    content += shown;
    toolCalls.push(...calls);
    if (lp) logprobs.push(lp);
    if (shown || calls.length || lp) await onDelta(shown, calls, lp);
  };
  try {
    for (;;) {
      if (opts.signal.aborted) {
        finish = 'abort';
        break;
      }
      const r = await it.next();
      if (opts.signal.aborted) {
        finish = 'abort';
        break;
      }
      if (r.done) {
        finish = r.value === 'length' ? 'length' : 'stop';
        break;
      }
      const t = now();
      timing.first ??= t;
      timing.last = t;
      const s = stop.push(r.value.text);
      await emit(s.emit, r.value.logprob);
      if (s.stopped) {
        finish = 'stop';
        break;
      }
    }
  } finally {
    await it.return?.();
  }
  if (!stop.stopped) await emit(stop.flush(), undefined);
  if (splitter) {
    const rest = splitter.flush();
    content += rest.content;
    toolCalls.push(...rest.toolCalls);
    if (rest.content || rest.toolCalls.length) await onDelta(rest.content, rest.toolCalls, undefined);
  }
  if (toolCalls.length && finish !== 'abort') finish = 'tool_calls';
  return { content, toolCalls, finish, logprobs: req.logprobs ? logprobs : null };
}

function usageOf(stats: GenerationStats[], timing: { start: number; first?: number; last?: number }, end: number): CompletionUsage {
  // The prompt is the same for every choice: count it once (like OpenAI), but rate all prefills.
  const prompt = stats[0]?.promptTokens ?? 0;
  const prefilled = stats.reduce((a, s) => a + (s.prefillTokens ?? s.promptTokens), 0);
  const cached = stats.reduce((a, s) => a + (s.cachedPromptTokens ?? 0), 0);
  const completion = stats.reduce((a, s) => a + s.completionTokens, 0);
  const prefillS = stats.reduce((a, s) => a + (s.prefillS ?? 0), 0);
  const decodeS = timing.first !== undefined && timing.last !== undefined ? timing.last - timing.first : 0;
  const extra: NonNullable<CompletionUsage['extra']> = { e2e_latency_s: end - timing.start };
  if (timing.first !== undefined) extra.time_to_first_token_s = timing.first - timing.start;
  if (prefillS > 0) extra.prefill_tokens_per_s = prefilled / prefillS;
  if (cached > 0) extra.cached_prompt_tokens = cached;
  const steps = stats.reduce((a, s) => a + (s.batchSteps ?? 0), 0);
  // Our extension: how many sequences shared the forward passes that produced this reply.
  if (steps > 0) extra.mean_batch_size = stats.reduce((a, s) => a + (s.batchSum ?? 0), 0) / steps;
  if (decodeS > 0 && completion > 1) extra.decode_tokens_per_s = (completion - stats.length) / decodeS;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, extra };
}

async function collectCompletion(req: ChatCompletionRequest, opts: RunOptions): Promise<ChatCompletion> {
  const now = opts.now ?? defaultNow;
  const timing: { start: number; first?: number; last?: number } = { start: now() };
  const created = Math.floor(Date.now() / 1000);
  const id = completionId(opts.idPrefix);
  const n = Math.max(1, Math.floor(req.n ?? 1));
  const allStats: GenerationStats[] = Array.from({ length: n }, () => ({ promptTokens: 0, completionTokens: 0 }));
  const choices: ChatCompletion['choices'] = [];
  // Started together (every source is created in this turn), or one after another.
  const parallel = opts.parallelChoices && n > 1 ? allStats.map((stats, i) => driveChoice(req, opts, i, stats, timing, () => {})) : null;
  parallel?.forEach((p) => p.catch(() => {})); // the first failure is thrown below; the others are not unhandled
  for (let i = 0; i < n; i++) {
    const stats = allStats[i];
    const out = await (parallel ? parallel[i] : driveChoice(req, opts, i, stats, timing, () => {}));
    // Non-streaming tool calls are parsed from the whole text as well (same result as the splitter).
    const message: ChatMessage = { role: 'assistant', content: out.content };
    if (out.toolCalls.length) {
      const parsed = parseToolCalls(out.content);
      message.content = parsed.content?.trim() ? parsed.content.trim() : null;
      message.tool_calls = out.toolCalls;
    }
    choices.push({ index: i, message, finish_reason: out.finish, logprobs: req.logprobs ? { content: out.logprobs } : null });
    if (opts.signal.aborted && !parallel) break;
  }
  return { id, object: 'chat.completion', created, model: opts.model, choices, usage: usageOf(allStats, timing, now()) };
}

async function* streamCompletion(req: ChatCompletionRequest, opts: RunOptions): AsyncGenerator<ChatCompletionChunk> {
  const now = opts.now ?? defaultNow;
  const timing: { start: number; first?: number; last?: number } = { start: now() };
  const created = Math.floor(Date.now() / 1000);
  const id = completionId(opts.idPrefix);
  const base = { id, object: 'chat.completion.chunk' as const, created, model: opts.model };
  const n = Math.max(1, Math.floor(req.n ?? 1));
  const allStats: GenerationStats[] = [];
  // Aborted by the caller's signal, or when the consumer stops iterating early.
  const local = new AbortController();
  const onAbort = () => local.abort();
  if (opts.signal.aborted) local.abort();
  else opts.signal.addEventListener('abort', onAbort, { once: true });
  const localOpts = { ...opts, signal: local.signal };
  let resumeDriver: (() => void) | null = null;
  try {
    for (let i = 0; i < n; i++) {
      const stats: GenerationStats = { promptTokens: 0, completionTokens: 0 };
      allStats.push(stats);
      yield { ...base, choices: [{ index: i, delta: { role: 'assistant', content: '' }, finish_reason: null }] };
      // Bridge the push-style driver to this pull-style generator. The driver waits until its
      // chunk has been taken (back-pressure), so an interrupt between two reads takes effect
      // before the next token is generated.
      const queue: ChatCompletionChunk[] = [];
      let wake: (() => void) | null = null;
      let done = false;
      let failure: unknown;
      let outcome: ChoiceOutcome | undefined;
      const driving = driveChoice(req, localOpts, i, stats, timing, (content, toolCalls, lp) => {
        const delta: ChatCompletionChunk['choices'][number]['delta'] = { content };
        if (toolCalls.length) delta.tool_calls = toolCalls;
        queue.push({
          ...base,
          choices: [{ index: i, delta, finish_reason: null, logprobs: lp && req.logprobs ? { content: [lp] } : null }],
        });
        wake?.();
        return new Promise<void>((r) => (resumeDriver = r));
      })
        .then((o) => (outcome = o))
        .catch((e) => (failure = e))
        .finally(() => {
          done = true;
          wake?.();
        });
      for (;;) {
        if (queue.length) {
          yield queue.shift()!;
          const r = resumeDriver as (() => void) | null;
          resumeDriver = null;
          r?.();
          continue;
        }
        if (done) break;
        await new Promise<void>((r) => (wake = r));
        wake = null;
      }
      await driving;
      if (failure) throw failure;
      const last = i === n - 1 || local.signal.aborted;
      yield {
        ...base,
        choices: [{ index: i, delta: {}, finish_reason: outcome!.finish }],
        ...(last ? { usage: usageOf(allStats, timing, now()) } : {}),
      };
      if (local.signal.aborted) break;
    }
  } finally {
    opts.signal.removeEventListener('abort', onAbort);
    local.abort();
    const r = resumeDriver as (() => void) | null;
    r?.();
  }
}
