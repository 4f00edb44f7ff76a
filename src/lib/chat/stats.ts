/**
 * Per-message statistics: tokens, time to first token, prefill and decode speed.
 * The engine's own figures (`usage.extra`, as web-llm reports them) win; where a backend gives
 * none, they are measured here from the stream's timing.
 */
import type { CompletionUsage } from '../engine/types';

export interface MessageStats {
  promptTokens?: number;
  completionTokens: number;
  /** time from request to first generated token */
  ttftMs?: number;
  /** request to last token */
  totalMs: number;
  prefillTokensPerS?: number;
  decodeTokensPerS?: number;
  /** 'engine' when the figures came from usage.extra, 'measured' when timed by the page */
  source: 'engine' | 'measured';
}

export interface StreamTiming {
  /** ms timestamps (performance.now() or Date.now(); one clock) */
  startedAt: number;
  firstTokenAt?: number;
  endedAt: number;
  /** content-bearing chunks seen (≈ tokens when the backend streams one token per chunk) */
  chunks: number;
}

/** Combines the engine's usage (if any) with the measured timing into one stats record. */
export function computeStats(timing: StreamTiming, usage?: CompletionUsage): MessageStats {
  const totalMs = Math.max(0, timing.endedAt - timing.startedAt);
  const completionTokens = usage?.completion_tokens ?? timing.chunks;
  const promptTokens = usage?.prompt_tokens;
  const extra = usage?.extra;
  if (extra && (extra.time_to_first_token_s !== undefined || extra.decode_tokens_per_s !== undefined)) {
    return {
      promptTokens,
      completionTokens,
      ttftMs: extra.time_to_first_token_s !== undefined ? extra.time_to_first_token_s * 1000 : measuredTtft(timing),
      totalMs: extra.e2e_latency_s !== undefined ? extra.e2e_latency_s * 1000 : totalMs,
      prefillTokensPerS: extra.prefill_tokens_per_s,
      decodeTokensPerS: extra.decode_tokens_per_s,
      source: 'engine',
    };
  }
  const ttftMs = measuredTtft(timing);
  // Decode speed: tokens after the first over the time after the first (the first token's
  // time belongs to prefill).
  let decodeTokensPerS: number | undefined;
  if (timing.firstTokenAt !== undefined && completionTokens > 1) {
    const decodeMs = timing.endedAt - timing.firstTokenAt;
    if (decodeMs > 0) decodeTokensPerS = ((completionTokens - 1) * 1000) / decodeMs;
  }
  let prefillTokensPerS: number | undefined;
  if (promptTokens && ttftMs && ttftMs > 0) prefillTokensPerS = (promptTokens * 1000) / ttftMs;
  return { promptTokens, completionTokens, ttftMs, totalMs, prefillTokensPerS, decodeTokensPerS, source: 'measured' };
}

function measuredTtft(t: StreamTiming): number | undefined {
  return t.firstTokenAt !== undefined ? Math.max(0, t.firstTokenAt - t.startedAt) : undefined;
}

/** One short line for the UI and exports: "42 tokens · TTFT 120 ms · prefill 310 tok/s · decode 35.2 tok/s". */
export function formatStats(s: MessageStats): string {
  const parts = [`${s.completionTokens} token${s.completionTokens === 1 ? '' : 's'}`];
  if (s.promptTokens !== undefined) parts.push(`prompt ${s.promptTokens}`);
  if (s.ttftMs !== undefined) parts.push(`TTFT ${formatMs(s.ttftMs)}`);
  if (s.prefillTokensPerS !== undefined) parts.push(`prefill ${formatRate(s.prefillTokensPerS)} tok/s`);
  if (s.decodeTokensPerS !== undefined) parts.push(`decode ${formatRate(s.decodeTokensPerS)} tok/s`);
  parts.push(`total ${formatMs(s.totalMs)}`);
  return parts.join(' · ');
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

function formatRate(r: number): string {
  return r >= 100 ? String(Math.round(r)) : r.toFixed(1);
}
