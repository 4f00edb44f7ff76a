import { describe, expect, it } from 'vitest';
import { computeStats, formatStats } from '../../../src/lib/chat/stats';

describe('computeStats', () => {
  it('prefers the engine figures from usage.extra', () => {
    const s = computeStats(
      { startedAt: 0, firstTokenAt: 50, endedAt: 1000, chunks: 11 },
      { prompt_tokens: 30, completion_tokens: 12, total_tokens: 42, extra: { time_to_first_token_s: 0.2, prefill_tokens_per_s: 150, decode_tokens_per_s: 40.5, e2e_latency_s: 0.9 } },
    );
    expect(s).toEqual({ promptTokens: 30, completionTokens: 12, ttftMs: 200, totalMs: 900, prefillTokensPerS: 150, decodeTokensPerS: 40.5, source: 'engine' });
  });

  it('measures from the stream when the engine gives no timings', () => {
    // first token after 100 ms, 10 more tokens over the next 500 ms → 20 tok/s decode; 40 prompt tokens / 0.1 s = 400 tok/s prefill
    const s = computeStats({ startedAt: 1000, firstTokenAt: 1100, endedAt: 1600, chunks: 11 }, { prompt_tokens: 40, completion_tokens: 11, total_tokens: 51 });
    expect(s).toEqual({ promptTokens: 40, completionTokens: 11, ttftMs: 100, totalMs: 600, prefillTokensPerS: 400, decodeTokensPerS: 20, source: 'measured' });
  });

  it('counts chunks when there is no usage, and has no rates without tokens', () => {
    const s = computeStats({ startedAt: 0, endedAt: 10, chunks: 0 });
    expect(s).toEqual({ promptTokens: undefined, completionTokens: 0, ttftMs: undefined, totalMs: 10, prefillTokensPerS: undefined, decodeTokensPerS: undefined, source: 'measured' });
  });

  it('formats one line', () => {
    expect(formatStats({ promptTokens: 40, completionTokens: 11, ttftMs: 100, totalMs: 1600, prefillTokensPerS: 400, decodeTokensPerS: 20.04, source: 'measured' })).toBe(
      '11 tokens · prompt 40 · TTFT 100 ms · prefill 400 tok/s · decode 20.0 tok/s · total 1.60 s',
    );
    expect(formatStats({ completionTokens: 1, totalMs: 5, source: 'measured' })).toBe('1 token · total 5 ms');
  });
});
