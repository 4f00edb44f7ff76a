import { describe, expect, it } from 'vitest';
import { defaultParams, formatLogitBias, formatStop, parseLogitBias, parseStop, requestFromParams } from '../../../src/lib/chat/params';

describe('requestFromParams', () => {
  it('leaves neutral values out', () => {
    expect(requestFromParams(defaultParams())).toEqual({ temperature: 0.7, top_p: 0.95, max_tokens: 256 });
  });

  it('passes every set parameter and clamps out-of-range values', () => {
    const p = { ...defaultParams(), temperature: 5, top_p: -1, max_tokens: 99.6, seed: 42.9, presence_penalty: 3, frequency_penalty: 0.5, repetition_penalty: 1.1, stop: ['\n\n', ''], logit_bias: { '13': -100 }, logprobs: true, top_logprobs: 50 };
    expect(requestFromParams(p)).toEqual({
      temperature: 2,
      top_p: 0,
      max_tokens: 100,
      seed: 42,
      presence_penalty: 2,
      frequency_penalty: 0.5,
      repetition_penalty: 1.1,
      stop: ['\n\n'],
      logit_bias: { '13': -100 },
      logprobs: true,
      top_logprobs: 20,
    });
  });
});

describe('parseStop / formatStop', () => {
  it('one per line with \\n escapes, round trip', () => {
    const r = parseStop('User:\n\\n\\n\n\n###');
    expect(r).toEqual({ ok: true, value: ['User:', '\n\n', '###'] });
    if (r.ok) expect(formatStop(r.value)).toBe('User:\n\\n\\n\n###');
  });
  it('rejects more than 4', () => {
    expect(parseStop('a\nb\nc\nd\ne')).toMatchObject({ ok: false });
  });
});

describe('parseLogitBias', () => {
  it('reads "id: bias" pairs and JSON', () => {
    expect(parseLogitBias('198: -100, 50256=5\n7: 1.5')).toEqual({ ok: true, value: { '198': -100, '50256': 5, '7': 1.5 } });
    expect(parseLogitBias('{"0012": -1}')).toEqual({ ok: true, value: { '12': -1 } });
    expect(parseLogitBias('  ')).toEqual({ ok: true, value: {} });
    expect(formatLogitBias({ '1': -100, '2': 3 })).toBe('1: -100, 2: 3');
  });
  it.each([
    ['hello: 5', /not a token id/],
    ['5: lots', /not a number/],
    ['5: 101', /between -100 and 100/],
    ['5 -100', /Cannot read/],
    ['{"a": 1', /not valid JSON/],
    ['{"5": "x"}', /not a number/],
  ])('%j is rejected', (text, re) => {
    const r = parseLogitBias(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(re);
  });
});
