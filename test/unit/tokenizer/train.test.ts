import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BPETrainer, gpt2SplitRegex, pretokenize, Tokenizer, trainBPE, trainBPEAsync } from '../../../src/lib/tokenizer';
import { TINYLM_SPECIAL_TOKENS } from '../../../src/lib/tinylm/contract';

const root = new URL('../../../', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, root), 'utf8');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const str = (b: Uint8Array) => Buffer.from(b).toString('utf8');

interface GoldenCase {
  name: string;
  vocabSize: number;
  specialTokens: string[];
  merges: Array<[string, string]>;
  counts: number[];
}
const golden = JSON.parse(read('test/fixtures/tokenizer/train-golden.json')) as { cases: GoldenCase[] };
const stories = read('public/corpora/stories.txt');
const mixed = read('public/corpora/mixed.txt');
const corpusOf: Record<string, string> = {
  'stories-500': stories,
  'mixed-400-specials': mixed.replace(/\n\n/g, '\n\n<|endoftext|><|im_start|>'),
  'handout-no-specials': 'low low low low low lower lower widest widest widest newest newest newest newest newest newest',
  ties: 'ab ab ba ba cd cd dc dc',
};

describe('trainBPE against the Python reference (test/fixtures/tokenizer/train_reference.py)', () => {
  for (const c of golden.cases) {
    it(`${c.name}: same merges, in the same order, with the same counts`, () => {
      const { merges, counts, vocab } = trainBPE(corpusOf[c.name], c.vocabSize, c.specialTokens);
      expect(merges.map(([a, b]) => [hex(a), hex(b)])).toEqual(c.merges);
      expect(counts).toEqual(c.counts);
      expect(vocab.size).toBe(c.specialTokens.length + 256 + c.merges.length);
    });
  }
});

describe('trainBPE conventions (CS336)', () => {
  it('gives special tokens the first ids, then the 256 bytes, then merges in order', () => {
    const specials = [...TINYLM_SPECIAL_TOKENS];
    const { vocab, merges } = trainBPE(stories.slice(0, 20_000), 300, specials);
    specials.forEach((s, i) => expect(str(vocab.get(i)!)).toBe(s));
    for (let b = 0; b < 256; b++) expect([...vocab.get(3 + b)!]).toEqual([b]);
    merges.forEach(([l, r], i) => expect(hex(vocab.get(259 + i)!)).toBe(hex(l) + hex(r)));
    expect(vocab.size).toBe(300);
  });

  it('breaks ties by the lexicographically greater pair of byte strings', () => {
    // Every pair occurs exactly twice: ("d","c") > ("c","d") > ("b","a") > ("a","b").
    const { merges } = trainBPE('ab ab ba ba cd cd dc dc', 260, []);
    expect(merges.slice(0, 4).map(([a, b]) => str(a) + '+' + str(b))).toEqual(['d+c', 'c+d', 'b+a', 'a+b']);
  });

  it('never merges across or into a special token, and never counts it', () => {
    const text = Array.from({ length: 200 }, () => 'cat<|endoftext|>dog').join('');
    const { vocab, merges } = trainBPE(text, 300, ['<|endoftext|>']);
    for (const [l, r] of merges) {
      for (const part of [l, r]) expect(str(part)).not.toMatch(/<\||\|>/);
    }
    for (const [id, bytes] of vocab) if (id > 0) expect(str(bytes).includes('<|endoftext|>')).toBe(false);
    // Without the special token, its characters would be merged.
    const plain = trainBPE(text, 300, []);
    expect(plain.merges.some(([l, r]) => str(l).includes('|') || str(r).includes('|'))).toBe(true);
  });

  it('merges never cross pre-token boundaries (no token spans a space inside a word pair)', () => {
    const { vocab } = trainBPE(stories.slice(0, 30_000), 600, []);
    for (const bytes of vocab.values()) {
      const s = str(bytes);
      // A space may only start a token (GPT-2 regex keeps " word" together).
      expect(s.slice(1).includes(' ') && s.trim() !== '').toBe(false);
    }
  });

  it('stops early when the corpus runs out of pairs', () => {
    const { merges, vocab } = trainBPE('aaaa', 1000, []);
    expect(merges.map(([a, b]) => str(a) + '+' + str(b))).toEqual(['a+a', 'aa+aa']);
    expect(vocab.size).toBe(258);
  });

  it('rejects a vocabulary smaller than bytes + specials', () => {
    expect(() => trainBPE('abc', 256, ['<|endoftext|>'])).toThrow(RangeError);
  });

  it('reports every merge with its count, and progress', () => {
    const steps: Array<{ id: number; count: number }> = [];
    const progress: number[] = [];
    const res = trainBPE(stories.slice(0, 20_000), 320, ['<|endoftext|>'], {
      onMerge: (m) => steps.push({ id: m.id, count: m.count }),
      onProgress: (p) => p.phase === 'merge' && progress.push(p.done),
      progressEvery: 16,
    });
    expect(steps.map((s) => s.count)).toEqual(res.counts);
    expect(steps.map((s) => s.id)).toEqual(res.merges.map((_, i) => 257 + i));
    expect(progress.at(-1)).toBe(res.merges.length);
    expect(progress.length).toBeGreaterThan(2);
  });

  it('stops with an AbortError when the signal fires (sync and async)', async () => {
    const ac = new AbortController();
    expect(() =>
      trainBPE(stories, 2000, [], { onMerge: (m) => m.index === 10 && ac.abort() , signal: ac.signal }),
    ).toThrow(/cancelled/);
    const ac2 = new AbortController();
    // Abort from inside the run (a timer can fire after a loaded machine has already finished).
    const p = trainBPEAsync(stories, 5000, [], { signal: ac2.signal, sliceMs: 1, onMerge: (m) => m.index === 10 && ac2.abort() });
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('trainBPEAsync gives the same result as trainBPE', async () => {
    const a = trainBPE(mixed, 400, ['<|endoftext|>']);
    const b = await trainBPEAsync(mixed, 400, ['<|endoftext|>'], { sliceMs: 0 });
    expect(b.merges).toEqual(a.merges);
  });

  it('the trainer can be stepped one merge at a time', () => {
    const t = new BPETrainer('hug pug pun bun hugs', 262, []);
    const first = t.step()!;
    expect(str(first.left) + str(first.right)).toBe('ug');
    expect(first.count).toBe(3);
  });

  it('a trained tokenizer round-trips its corpus and compresses it', () => {
    const { vocab, merges } = trainBPE(stories, 500, [...TINYLM_SPECIAL_TOKENS]);
    const tok = new Tokenizer(vocab, merges, [...TINYLM_SPECIAL_TOKENS]);
    const ids = tok.encode(stories);
    expect(tok.decode(ids)).toBe(stories);
    expect(new TextEncoder().encode(stories).length / ids.length).toBeGreaterThan(2.5);
    expect(tok.encode('<|im_start|>user\nhi<|im_end|>').slice(0, 1)).toEqual([1]);
  });
});

describe('pre-tokenization against Python regex (test/fixtures/tokenizer/pretokenize_reference.py)', () => {
  const pre = JSON.parse(read('test/fixtures/tokenizer/pretokenize-golden.json')) as { cases: Array<{ text: string; pieces: string[] }> };
  it('splits exactly like the published GPT-2 pattern with Unicode White_Space (NEL, BOM, NBSP, ideographic space…)', () => {
    for (const c of pre.cases) expect(pretokenize(c.text), JSON.stringify(c.text)).toEqual(c.pieces);
  });
});

describe('fast pre-tokenizer', () => {
  it('gives exactly the regex matches on 5,000 random mixed ASCII/Unicode strings', () => {
    let seed = 11;
    const r = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const atoms = [' ', '  ', '\t', '\n', '\r\n', '\v', '\f', '\u0085', '\u00a0', '\u3000', '\ufeff', "'", "'s", "'ll", "'ve", "'re", "'d", "'t", "'m", "'S", 'a', 'Zq', '7', '42', '.', '!?', '-', '_', '\u0000', '\u001c', '\u007f', 'é', 'ß', '日', '١', '²', '😀', '\u0301', '\ud83d', 'x'];
    const re = gpt2SplitRegex();
    for (let t = 0; t < 5000; t++) {
      let s = '';
      const len = Math.floor(r() * 24);
      for (let i = 0; i < len; i++) s += atoms[Math.floor(r() * atoms.length)];
      expect(pretokenize(s), JSON.stringify(s)).toEqual(s.match(re) ?? []);
    }
  });
});
