import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { encode as r50kEncode } from 'gpt-tokenizer/encoding/r50k_base';
import { Tokenizer, trainBPE } from '../../../src/lib/tokenizer';
import { gpt2Tokenizer, GPT2_EOT_ID } from '../../fixtures/tokenizer/gpt2';

const root = new URL('../../../', import.meta.url);
const stories = readFileSync(new URL('public/corpora/stories.txt', root), 'utf8');
const mixed = readFileSync(new URL('public/corpora/mixed.txt', root), 'utf8');

/** tiktoken's own test plans for r50k_base, shipped inside gpt-tokenizer. */
function r50kPlans(): Array<{ sample: string; encoded: number[] }> {
  const file = createRequire(import.meta.url).resolve('gpt-tokenizer/data/TestPlans.txt');
  const out: Array<{ sample: string; encoded: number[] }> = [];
  for (const block of readFileSync(file, 'utf8').split(/\n\n(?=EncodingName: )/)) {
    const m = /^EncodingName: (\S+)\nSample: ([\s\S]*)\nEncoded: (\[[^\]]*\])/.exec(block);
    if (m && m[1] === 'r50k_base') out.push({ sample: m[2], encoded: JSON.parse(m[3]) });
  }
  return out;
}

/** Deterministic awkward strings: random code points from many scripts, spaces, digits. */
function randomStrings(n: number, seed = 7): string[] {
  let s = seed;
  const r = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const pools = [' ', '  ', '\n', '\t', 'a', 'Z', "'s", "'ll", '0', '9', '.', ',', '!', 'é', 'ß', 'Ж', 'λ', '日', '本', '한', 'ع', 'ह', '😀', '👨‍👩‍👧', '🇯🇵', 'e\u0301', '\u200d', '\ufe0f', '€', '\u00a0', '\u3000', 'ab', 'the', ' the', '   x'];
  return Array.from({ length: n }, () => {
    let t = '';
    const len = 1 + Math.floor(r() * 30);
    for (let i = 0; i < len; i++) t += pools[Math.floor(r() * pools.length)];
    return t;
  });
}

let tok: Tokenizer;
beforeAll(() => {
  tok = gpt2Tokenizer();
});

describe('GPT-2 vocabulary: ids equal tiktoken gpt2', () => {
  it('known cases from the issue', () => {
    expect(tok.encode('hello world')).toEqual([31373, 995]);
    expect(tok.encode('hello <|endoftext|>', { allowedSpecial: ['<|endoftext|>'] })).toEqual([31373, 220, GPT2_EOT_ID]);
    expect(tok.encode('hello <|endoftext|>', { allowedSpecial: 'all' })).toEqual([31373, 220, GPT2_EOT_ID]);
    // Not allowed: the special token is ordinary text.
    expect(tok.encode('hello <|endoftext|>', { allowedSpecial: [] })).toEqual(r50kEncode('hello <|endoftext|>', { disallowedSpecial: new Set() }));
  });

  it("tiktoken's r50k test plans", () => {
    const plans = r50kPlans();
    expect(plans.length).toBeGreaterThan(50);
    for (const p of plans) expect(tok.encode(p.sample, { allowedSpecial: [] }), JSON.stringify(p.sample)).toEqual(p.encoded);
  });

  it('gpt-tokenizer r50k on the shipped corpora, line by line and whole', () => {
    for (const text of [stories.slice(0, 40_000), mixed]) {
      // (gpt-tokenizer 4.0's r50k ignores allowedSpecial, so compare the special-free reading.)
      expect(tok.encode(text, { allowedSpecial: [] })).toEqual(r50kEncode(text, { disallowedSpecial: new Set() }));
      for (const line of text.split('\n').slice(0, 300)) {
        expect(tok.encode(line, { allowedSpecial: [] })).toEqual(r50kEncode(line, { disallowedSpecial: new Set() }));
      }
    }
  });

  it('gpt-tokenizer r50k on 2,000 random awkward strings', () => {
    for (const s of randomStrings(2000)) expect(tok.encode(s), JSON.stringify(s)).toEqual(r50kEncode(s));
  });

  it('long runs use the heap merge and still agree (whitespace, repeated letters, digits)', () => {
    for (const s of [' '.repeat(5000) + 'x', 'a'.repeat(3000), '1234567890'.repeat(300), '!?'.repeat(700), '😀'.repeat(200)]) {
      expect(tok.encode(s)).toEqual(r50kEncode(s));
    }
  });

  it('lone surrogates are encoded as U+FFFD, like TextEncoder and tiktoken', () => {
    const lone = 'a\ud83dz \udc00!';
    expect(tok.encode(lone)).toEqual(tok.encode('a\ufffdz \ufffd!'));
    expect(tok.encode(lone)).toEqual(r50kEncode(lone));
    expect(tok.decode(tok.encode(lone))).toBe('a\ufffdz \ufffd!');
  });
});

describe('round trips', () => {
  const awkward = [
    '',
    ' ',
    'hello world',
    '👨‍👩‍👧‍👦 family, 🏳️‍🌈 flag, 👍🏽 skin tone, 🇯🇵 regional indicators',
    '日本語のテキストと中文文本和한국어',
    'e\u0301 a\u0308 n\u0303 — combining marks; Z\u0351\u0352\u0353algo',
    'مرحبا بالعالم ‫RTL‬ and \u200b zero width \ufeff BOM',
    '\u0000\u0001\u007f control \r\n windows lines',
    '<|endoftext|><|endoftext|> twice',
  ];
  it('decode(encode(s)) === s for every well-formed string', () => {
    for (const s of [...awkward, ...randomStrings(500, 3)]) expect(tok.decode(tok.encode(s))).toBe(s);
  });

  it('a small trained tokenizer also round-trips text it never saw', () => {
    const { vocab, merges } = trainBPE(stories.slice(0, 30_000), 400, ['<|endoftext|>']);
    const small = new Tokenizer(vocab, merges, ['<|endoftext|>']);
    for (const s of [...awkward, mixed]) expect(small.decode(small.encode(s))).toBe(s);
  });

  it('decodeBytes returns raw bytes; decode rejects unknown ids', () => {
    const ids = tok.encode('é');
    expect([...tok.decodeBytes(ids)]).toEqual([0xc3, 0xa9]);
    expect(() => tok.decode([999_999])).toThrow(RangeError);
  });
});

describe('special tokens', () => {
  it('the longest special token wins when two overlap', () => {
    const { vocab, merges } = trainBPE('abc', 257, []);
    const t = new Tokenizer(vocab, merges, ['<|a|>', '<|a|><|b|>']);
    const [idA, idAB] = [t.specialIds.get('<|a|>')!, t.specialIds.get('<|a|><|b|>')!];
    expect(t.encode('x<|a|><|b|>y<|a|>')).toEqual([...t.encode('x', { allowedSpecial: [] }), idAB, ...t.encode('y', { allowedSpecial: [] }), idA]);
  });

  it('a special token missing from the vocabulary gets the next id', () => {
    const { vocab, merges } = trainBPE('abc', 256, []);
    const t = new Tokenizer(vocab, merges, ['<|x|>']);
    expect(t.specialIds.get('<|x|>')).toBe(256);
    expect(t.decode([256])).toBe('<|x|>');
  });
});

describe('streaming', () => {
  it('encodeIterable equals encode for any chunking (inside words, specials, surrogate pairs)', () => {
    const text = (mixed + '<|endoftext|>' + stories.slice(0, 30_000) + "I'll 😀<|endoftext|>").repeat(2);
    const whole = tok.encode(text);
    for (const size of [1, 7, 4096, 16_385, 50_000]) {
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      expect([...tok.encodeIterable(chunks)], `chunk size ${size}`).toEqual(whole);
    }
    const lines = text.split(/(?<=\n)/);
    expect([...tok.encodeIterable(lines)]).toEqual(whole);
  });

  it('encodeIterable handles a contraction and whitespace cut at a chunk boundary', () => {
    const pad = 'word '.repeat(4000);
    for (const tail of ["I'", '  ', '<|endof']) {
      const rest = tail === "I'" ? 'll go' : tail === '  ' ? 'x  \n y' : 'text|> ok';
      expect([...tok.encodeIterable([pad + tail, rest])]).toEqual(tok.encode(pad + tail + rest));
    }
  });

  it('the streaming decoder never emits half a character', () => {
    const text = '😀 日本 é 👨‍👩‍👧 ok';
    const ids = tok.encode(text);
    const dec = tok.streamingDecoder();
    let out = '';
    for (const id of ids) {
      const piece = dec.push(id);
      expect(piece.includes('\ufffd')).toBe(false);
      out += piece;
    }
    out += dec.flush();
    expect(out).toBe(text);
    // A stream cut mid-character ends with one replacement character.
    const d2 = tok.streamingDecoder();
    const cut = d2.push(tok.encode('😀').slice(0, 1));
    expect(cut + d2.flush()).toBe('\ufffd');
  });
});
