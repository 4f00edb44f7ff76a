import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { deflateSync } from 'fflate';
import { decodeShare, encodeShare, fromBase64Url, toBase64Url, MAX_ENCODED_LENGTH } from '../../../src/lib/share/codec';
import { lessonHash, parseHash } from '../../../src/lib/share/url';

const schemas = {
  sampling: v.object({
    prompt: v.pipe(v.string(), v.maxLength(500)),
    temperature: v.pipe(v.number(), v.minValue(0), v.maxValue(2)),
    seed: v.pipe(v.number(), v.integer()),
  }),
  tokenizer: v.object({ text: v.pipe(v.string(), v.maxLength(2000)), tokenizers: v.array(v.picklist(['ours', 'r50k', 'cl100k'])) }),
};

/** Deterministic PRNG for reproducible fuzzing. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('share codec', () => {
  it('round-trips lab states, including awkward Unicode', () => {
    const labs = {
      sampling: { prompt: 'Once upon a time 🧙‍♀️ — 東京 e\u0301', temperature: 0.7, seed: 42 },
      tokenizer: { text: 'hello <|endoftext|> world', tokenizers: ['ours', 'cl100k'] },
    };
    const enc = encodeShare(labs);
    expect(enc).toMatch(/^1\.[A-Za-z0-9_-]+$/);
    const dec = decodeShare(enc, schemas);
    expect(dec.problems).toEqual([]);
    expect(dec.states).toEqual(labs);
  });

  it('empty or missing value is not a problem', () => {
    expect(decodeShare(null, schemas)).toEqual({ states: {}, problems: [] });
    expect(decodeShare('', schemas)).toEqual({ states: {}, problems: [] });
  });

  it('rejects states outside the schema per lab, keeping valid labs', () => {
    const enc = encodeShare({ sampling: { prompt: 'x', temperature: 99, seed: 1 }, tokenizer: { text: 'ok', tokenizers: ['ours'] } });
    const dec = decodeShare(enc, schemas);
    expect(dec.states).toEqual({ tokenizer: { text: 'ok', tokenizers: ['ours'] } });
    expect(dec.problems.join(' ')).toMatch(/sampling/);
  });

  it('strips unknown keys and ignores unknown labs and prototype keys', () => {
    const json = '{"v":1,"labs":{"sampling":{"prompt":"a","temperature":1,"seed":2,"__proto__":{"polluted":true},"extra":"<img src=x onerror=alert(1)>"},"evil":{}}}';
    const enc = '1.' + toBase64Url(deflateSync(new TextEncoder().encode(json)));
    const dec = decodeShare(enc, schemas);
    expect(dec.states.sampling).toEqual({ prompt: 'a', temperature: 1, seed: 2 });
    expect(Object.keys(dec.states.sampling)).toEqual(['prompt', 'temperature', 'seed']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(dec.problems.join(' ')).toMatch(/unknown lab/);
  });

  it('reports bad versions, bad characters, truncation and oversize', () => {
    const good = encodeShare({ sampling: { prompt: 'p', temperature: 1, seed: 3 } });
    expect(decodeShare('2' + good.slice(1), schemas).problems[0]).toMatch(/version/);
    expect(decodeShare(good + '!', schemas).problems[0]).toMatch(/damaged/);
    expect(decodeShare(good.slice(0, good.length - 5), schemas).problems[0]).toMatch(/damaged|truncated|invalid|structure/);
    expect(decodeShare('1.' + 'A'.repeat(MAX_ENCODED_LENGTH), schemas).problems[0]).toMatch(/too long/);
    expect(decodeShare('<script>alert(1)</script>', schemas).problems[0]).toMatch(/damaged/);
  });

  it('refuses a deflate bomb', () => {
    const bomb = deflateSync(new Uint8Array(5_000_000).fill(32), { level: 9 });
    const enc = '1.' + toBase64Url(bomb);
    expect(enc.length).toBeLessThan(MAX_ENCODED_LENGTH);
    expect(decodeShare(enc, schemas).problems[0]).toMatch(/too much data/);
  });

  it('refuses to encode a state too large for a link', () => {
    const rand = rng(99);
    const noise = Array.from({ length: 20000 }, () => String.fromCharCode(33 + Math.floor(rand() * 90))).join('');
    expect(() => encodeShare({ tokenizer: { text: noise, tokenizers: [] } })).toThrow(/too large/);
  });

  it('fuzz: thousands of random and mutated links never throw and never yield out-of-schema state', () => {
    const rand = rng(1234);
    const base = encodeShare({ sampling: { prompt: 'The cat sat', temperature: 0.8, seed: 7 }, tokenizer: { text: 'héllo', tokenizers: ['r50k'] } });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.%/?&=+ <>"\'\\';
    let accepted = 0;
    for (let i = 0; i < 4000; i++) {
      let s: string;
      const mode = i % 4;
      if (mode === 0) {
        s = Array.from({ length: Math.floor(rand() * 200) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
      } else if (mode === 1) {
        const chars = base.split('');
        const n = 1 + Math.floor(rand() * 4);
        for (let k = 0; k < n; k++) chars[2 + Math.floor(rand() * (chars.length - 2))] = alphabet[Math.floor(rand() * 64)];
        s = chars.join('');
      } else if (mode === 2) {
        s = base.slice(0, Math.floor(rand() * base.length));
      } else {
        // valid compression of random JSON-ish structures
        const val = randomJson(rand, 3);
        s = '1.' + toBase64Url(deflateSync(new TextEncoder().encode(JSON.stringify({ v: 1, labs: { sampling: val, tokenizer: val } }))));
      }
      const res = decodeShare(s, schemas);
      for (const [id, state] of Object.entries(res.states)) {
        expect(v.safeParse(schemas[id as keyof typeof schemas], state).success).toBe(true);
        accepted++;
      }
    }
    expect(accepted).toBeGreaterThanOrEqual(0);
  });

  it('base64url round-trips all byte lengths', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255);
      expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
    }
    expect(fromBase64Url('A')).toBeNull();
    expect(fromBase64Url('ab+c')).toBeNull();
  });
});

function randomJson(rand: () => number, depth: number): unknown {
  const r = rand();
  if (depth <= 0 || r < 0.3) {
    const choices = [null, true, 1e308, -0, 'str', '', 42, 0.5, '<img onerror=x>', NaN];
    return choices[Math.floor(rand() * choices.length)];
  }
  if (r < 0.6) return Array.from({ length: Math.floor(rand() * 4) }, () => randomJson(rand, depth - 1));
  const o: Record<string, unknown> = {};
  for (const k of ['prompt', 'temperature', 'seed', 'text', 'tokenizers', 'constructor'].filter(() => rand() < 0.6)) o[k] = randomJson(rand, depth - 1);
  return o;
}

describe('hash urls', () => {
  it('parses lesson routes with a share value', () => {
    const r = parseHash('#/lesson/1.1/sampling?s=1.abc');
    expect(r.segments).toEqual(['lesson', '1.1', 'sampling']);
    expect(r.share).toBe('1.abc');
    expect(parseHash('').segments).toEqual([]);
    expect(parseHash('#/lesson/%E0%A4%A').segments).toEqual(['lesson', '%E0%A4%A']);
  });
  it('builds lesson hashes', () => {
    expect(lessonHash('1.1')).toBe('#/lesson/1.1');
    expect(lessonHash('1.1', { lab: 'sampling', share: '1.xyz' })).toBe('#/lesson/1.1/sampling?s=1.xyz');
  });
});
