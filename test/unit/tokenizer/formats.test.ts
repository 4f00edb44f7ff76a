import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Tokenizer as HFTokenizer } from '@huggingface/tokenizers';
import { byteLevelToBytes, bytesToByteLevel, Tokenizer, trainBPE, UnsupportedTokenizerError } from '../../../src/lib/tokenizer';
import { TINYLM_SPECIAL_TOKENS } from '../../../src/lib/tinylm/contract';
import { gpt2Tokenizer } from '../../fixtures/tokenizer/gpt2';

const root = new URL('../../../', import.meta.url);
const stories = readFileSync(new URL('public/corpora/stories.txt', root), 'utf8');
const mixed = readFileSync(new URL('public/corpora/mixed.txt', root), 'utf8');
const specials = [...TINYLM_SPECIAL_TOKENS];

function trained(): Tokenizer {
  const { vocab, merges } = trainBPE(stories, 600, specials);
  return new Tokenizer(vocab, merges, specials);
}

const samples = [
  'Once upon a time, Lily found a red hat.',
  "I'll say it's   spaced \n\n out",
  '<|im_start|>user\nHi there!<|im_end|>\n<|im_start|>assistant\n',
  'naïve café 😀 日本語 e\u0301',
  mixed,
];

describe('GPT-2 byte alphabet', () => {
  it('maps space to Ġ and newline to Ċ and back', () => {
    expect(bytesToByteLevel(new TextEncoder().encode(' hi\n'))).toBe('ĠhiĊ');
    expect([...byteLevelToBytes('ĠhiĊ')]).toEqual([0x20, 0x68, 0x69, 0x0a]);
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect([...byteLevelToBytes(bytesToByteLevel(all))]).toEqual([...all]);
    expect(() => byteLevelToBytes('日')).toThrow(/byte alphabet/);
  });
});

describe('Hugging Face tokenizer.json', () => {
  it('round-trips through JSON text to an identical tokenizer', () => {
    const tok = trained();
    const json = JSON.stringify(tok.toHFJson());
    const back = Tokenizer.fromHFJson(json);
    expect(back.specialTokens).toEqual(specials);
    const dump = (t: Tokenizer) => [...t.vocab.entries()].sort((a, b) => a[0] - b[0]).map(([i, b]) => [i, [...b]]);
    expect(dump(back)).toEqual(dump(tok));
    for (const s of samples) expect(back.encode(s)).toEqual(tok.encode(s));
  });

  it('is read by Hugging Face tokenizers.js with the same ids and text', () => {
    const tok = trained();
    const hf = new HFTokenizer(tok.toHFJson(), {});
    for (const s of samples) {
      const ids = tok.encode(s);
      expect(hf.encode(s).ids, JSON.stringify(s.slice(0, 40))).toEqual(ids);
      expect(hf.decode(ids, { clean_up_tokenization_spaces: false })).toBe(s);
    }
  });

  it("GPT-2's vocabulary saved as tokenizer.json matches tokenizers.js too", () => {
    const tok = gpt2Tokenizer();
    const json = tok.toHFJson();
    expect(json.model.vocab['Ġworld']).toBe(995);
    expect(json.model.vocab['<|endoftext|>']).toBe(50256);
    const hf = new HFTokenizer(json, {});
    for (const s of samples.slice(0, 4)) expect(hf.encode(s.replace(/<\|im_\w+\|>/g, '')).ids).toEqual(tok.encode(s.replace(/<\|im_\w+\|>/g, '')));
  });

  it('reads merges written as "a b" strings (older files) as well as pairs', () => {
    const tok = trained();
    const json = tok.toHFJson();
    const old = { ...json, model: { ...json.model, merges: json.model.merges.map(([a, b]) => `${a} ${b}`) } };
    expect(Tokenizer.fromHFJson(old).encode(mixed)).toEqual(tok.encode(mixed));
  });

  it('explains what it cannot read', () => {
    const json = trained().toHFJson();
    expect(() => Tokenizer.fromHFJson('{not json')).toThrow(UnsupportedTokenizerError);
    expect(() => Tokenizer.fromHFJson({ ...json, model: { ...json.model, type: 'WordPiece' } })).toThrow(/Only BPE/);
    expect(() => Tokenizer.fromHFJson({ ...json, pre_tokenizer: { type: 'Metaspace' } })).toThrow(/byte-level pre-tokenizer/);
    expect(() => Tokenizer.fromHFJson({ ...json, model: { ...json.model, merges: [['zz', 'q']] } })).toThrow(/missing from the vocabulary/);
  });
});

describe('GPT-2 vocab.json + merges.txt', () => {
  it('saves and loads GPT-2 itself losslessly', () => {
    const tok = gpt2Tokenizer();
    const { vocabJson, mergesTxt } = tok.toGPT2Files();
    expect(mergesTxt.startsWith('#version: 0.2\nĠ t\n')).toBe(true);
    expect(JSON.parse(vocabJson)['hello']).toBe(31373);
    const back = Tokenizer.fromGPT2Files(vocabJson, mergesTxt);
    expect(back.encode('hello <|endoftext|>')).toEqual([31373, 220, 50256]);
    expect(back.encode(mixed)).toEqual(tok.encode(mixed));
  });

  it('round-trips a trained tokenizer with its special tokens (CRLF merges tolerated)', () => {
    const tok = trained();
    const { vocabJson, mergesTxt } = tok.toGPT2Files();
    const back = Tokenizer.fromGPT2Files(vocabJson, mergesTxt.replace(/\n/g, '\r\n'), specials);
    for (const s of samples) expect(back.encode(s)).toEqual(tok.encode(s));
  });
});
