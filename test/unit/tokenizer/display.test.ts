import { describe, expect, it } from 'vitest';
import { corpusFromBytes, createTokenizerLabApi } from '../../../src/lib/tokenizer/lab-api';
import { hexBytes, showWhitespace, tokenLabel } from '../../../src/lib/tokenizer/display';

const u8 = (s: string) => new TextEncoder().encode(s);

describe('token display', () => {
  it('shows whitespace and whole characters as text', () => {
    expect(showWhitespace(' a\n\tb')).toBe('·a↵→b');
    expect(tokenLabel(u8(' héllo'))).toBe('·héllo');
    expect(tokenLabel(u8('日'))).toBe('日');
  });
  it('shows bytes that are part of a character as hex', () => {
    const ri = u8('日'); // e6 97 a5
    expect(tokenLabel(ri.subarray(0, 2))).toBe('‹e6 97›');
    expect(tokenLabel(Uint8Array.of(0x20, 0xa5))).toBe('·‹a5›');
    expect(tokenLabel(Uint8Array.of(0xed, 0xa0, 0x80))).toBe('‹ed a0 80›'); // a UTF-8-encoded surrogate is not text
    expect(hexBytes(ri)).toBe('e6 97 a5');
  });
});

describe('corpus files', () => {
  it('accepts UTF-8 text (dropping a BOM) and explains binary, invalid and empty files', () => {
    expect(corpusFromBytes(u8('\ufeffhello'))).toEqual({ text: 'hello' });
    expect(corpusFromBytes(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0, 0, 0))).toMatchObject({ error: expect.stringMatching(/binary/) });
    expect(corpusFromBytes(Uint8Array.of(0x68, 0xff, 0x69))).toMatchObject({ error: expect.stringMatching(/not valid UTF-8/) });
    expect(corpusFromBytes(u8('   \n'))).toMatchObject({ error: expect.stringMatching(/empty/) });
  });
});

describe('lab api (in-thread)', () => {
  it('trains, reports merges in batches, then tokenizes with the result and with GPT-2', async () => {
    const api = createTokenizerLabApi();
    const before = await api.tokenize('hello', ['trained']);
    expect(before[0]).toMatchObject({ error: expect.stringMatching(/Not trained/) });
    const seen: number[] = [];
    const sum = await api.train('low lower lowest newer newest '.repeat(50), 280, ['<|endoftext|>'], {
      signal: new AbortController().signal,
      progress: async (u) => u.merges.forEach((m) => seen.push(m.index)),
    });
    expect(sum.merges).toBe(seen.length);
    expect(seen).toEqual([...Array(seen.length).keys()]);
    const [mine, gpt2] = await api.tokenize('hello world <|endoftext|>', ['trained', 'r50k']);
    if (!('ids' in mine) || !('ids' in gpt2)) throw new Error('expected tokens');
    expect(new TextDecoder().decode(mine.bytes)).toBe('hello world <|endoftext|>');
    expect([...gpt2.ids].slice(0, 2)).toEqual([31373, 995]);
    expect(gpt2.offsets.length).toBe(gpt2.ids.length + 1);
    // Loading the saved tokenizer.json reproduces the same ids.
    const api2 = createTokenizerLabApi();
    await api2.load('tinylm', sum.json);
    const [again] = await api2.tokenize('hello world <|endoftext|>', ['tinylm']);
    expect('ids' in again && [...again.ids]).toEqual([...mine.ids]);
  });
});
