/**
 * File formats for byte-level BPE tokenizers:
 *  - Hugging Face `tokenizer.json` (model BPE, ByteLevel pre-tokenizer and decoder), as written
 *    by `tokenizers` and read by `transformers`, transformers.js and llama.cpp's converter;
 *  - GPT-2's `vocab.json` + `merges.txt` (OpenAI's original release).
 * Both write tokens in GPT-2's printable byte alphabet (space → "Ġ"); special tokens are written
 * as their plain text.
 */
import { byteLevelToBytes, bytesToByteLevel, utf8 } from './bytes';

/** What a tokenizer is made of, independent of the file format. */
export interface TokenizerParts {
  vocab: Map<number, Uint8Array>;
  merges: Array<[Uint8Array, Uint8Array]>;
  specialTokens: string[];
}

/** The subset of Hugging Face's `tokenizer.json` we read and write. */
export interface HFTokenizerJson {
  version: string;
  truncation: null;
  padding: null;
  added_tokens: Array<{
    id: number;
    content: string;
    single_word: boolean;
    lstrip: boolean;
    rstrip: boolean;
    normalized: boolean;
    special: boolean;
  }>;
  normalizer: null;
  pre_tokenizer: { type: 'ByteLevel'; add_prefix_space: boolean; trim_offsets: boolean; use_regex: boolean };
  post_processor: { type: 'ByteLevel'; add_prefix_space: boolean; trim_offsets: boolean; use_regex: boolean };
  decoder: { type: 'ByteLevel'; add_prefix_space: boolean; trim_offsets: boolean; use_regex: boolean };
  model: {
    type: 'BPE';
    dropout: null;
    unk_token: null;
    continuing_subword_prefix: string;
    end_of_word_suffix: string;
    fuse_unk: boolean;
    byte_fallback: boolean;
    ignore_merges: boolean;
    vocab: Record<string, number>;
    merges: Array<[string, string]>;
  };
}

/** A tokenizer file we cannot represent faithfully (wrong model type, custom pre-tokenizer…). */
export class UnsupportedTokenizerError extends Error {
  override readonly name = 'UnsupportedTokenizerError';
}

function tokenString(bytes: Uint8Array, special: Set<string>, decoded: string): string {
  return special.has(decoded) ? decoded : bytesToByteLevel(bytes);
}

/** Builds a Hugging Face `tokenizer.json` object (serialise with `JSON.stringify`). */
export function toHFJson(parts: TokenizerParts, specialIds: Map<string, number>): HFTokenizerJson {
  const specials = new Set(parts.specialTokens);
  const dec = new TextDecoder();
  const vocab: Record<string, number> = {};
  const ids = [...parts.vocab.keys()].sort((a, b) => a - b);
  for (const id of ids) {
    const bytes = parts.vocab.get(id)!;
    const key = tokenString(bytes, specials, dec.decode(bytes));
    if (!(key in vocab)) vocab[key] = id;
  }
  const byteLevel = { type: 'ByteLevel' as const, add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: parts.specialTokens.map((content) => ({
      id: specialIds.get(content)!,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, trim_offsets: false },
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: parts.merges.map(([l, r]) => [bytesToByteLevel(l), bytesToByteLevel(r)]),
    },
  };
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function parseMerge(m: unknown, i: number): [string, string] {
  if (Array.isArray(m) && m.length === 2 && typeof m[0] === 'string' && typeof m[1] === 'string') return [m[0], m[1]];
  if (typeof m === 'string') {
    const parts = m.split(' ');
    if (parts.length === 2) return [parts[0], parts[1]];
  }
  throw new UnsupportedTokenizerError(`Merge #${i} is not a pair of tokens: ${JSON.stringify(m)}`);
}

function vocabFromStrings(entries: Record<string, unknown>, specials: Set<string>): Map<number, Uint8Array> {
  const vocab = new Map<number, Uint8Array>();
  for (const [tok, id] of Object.entries(entries)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new UnsupportedTokenizerError(`Vocabulary entry ${JSON.stringify(tok)} has an invalid id ${JSON.stringify(id)}`);
    }
    vocab.set(id, specials.has(tok) ? utf8(tok) : byteLevelToBytes(tok));
  }
  return vocab;
}

/** Reads a Hugging Face `tokenizer.json` (text or parsed) of a byte-level BPE tokenizer. */
export function fromHFJson(json: string | unknown): TokenizerParts {
  let data: unknown = json;
  if (typeof json === 'string') {
    try {
      data = JSON.parse(json);
    } catch (e) {
      throw new UnsupportedTokenizerError(`tokenizer.json is not valid JSON: ${(e as Error).message}`);
    }
  }
  if (!isRecord(data) || !isRecord(data.model)) throw new UnsupportedTokenizerError('tokenizer.json has no "model" section');
  const model = data.model;
  if (model.type !== undefined && model.type !== 'BPE') {
    throw new UnsupportedTokenizerError(`Only BPE tokenizers are supported; this one is "${String(model.type)}"`);
  }
  const pre = data.pre_tokenizer;
  if (!isRecord(pre) || pre.type !== 'ByteLevel') {
    const kind = isRecord(pre) ? String(pre.type) : 'none';
    throw new UnsupportedTokenizerError(`Only the GPT-2 byte-level pre-tokenizer is supported; this file uses "${kind}"`);
  }
  if (pre.add_prefix_space === true) throw new UnsupportedTokenizerError('add_prefix_space = true is not supported');
  if (pre.use_regex === false) throw new UnsupportedTokenizerError('ByteLevel with use_regex = false is not supported');
  if (!isRecord(model.vocab) || !Array.isArray(model.merges)) throw new UnsupportedTokenizerError('tokenizer.json model has no vocab/merges');
  const added = Array.isArray(data.added_tokens) ? data.added_tokens : [];
  const specialTokens: string[] = [];
  const specialIds = new Map<string, number>();
  for (const t of added) {
    if (isRecord(t) && typeof t.content === 'string' && typeof t.id === 'number' && t.special !== false) {
      specialTokens.push(t.content);
      specialIds.set(t.content, t.id);
    }
  }
  const vocab = vocabFromStrings(model.vocab, new Set(specialTokens));
  for (const [s, id] of specialIds) if (!vocab.has(id)) vocab.set(id, utf8(s));
  const merges = model.merges.map((m, i) => {
    const [l, r] = parseMerge(m, i);
    return [byteLevelToBytes(l), byteLevelToBytes(r)] as [Uint8Array, Uint8Array];
  });
  return { vocab, merges, specialTokens };
}

/** Writes GPT-2's `vocab.json` and `merges.txt`. */
export function toGPT2Files(parts: TokenizerParts): { vocabJson: string; mergesTxt: string } {
  const specials = new Set(parts.specialTokens);
  const dec = new TextDecoder();
  const vocab: Record<string, number> = {};
  for (const id of [...parts.vocab.keys()].sort((a, b) => a - b)) {
    const bytes = parts.vocab.get(id)!;
    const key = tokenString(bytes, specials, dec.decode(bytes));
    if (!(key in vocab)) vocab[key] = id;
  }
  const lines = parts.merges.map(([l, r]) => `${bytesToByteLevel(l)} ${bytesToByteLevel(r)}`);
  return { vocabJson: JSON.stringify(vocab), mergesTxt: `#version: 0.2\n${lines.join('\n')}\n` };
}

/**
 * Reads GPT-2's `vocab.json` + `merges.txt`. `specialTokens` lists the vocabulary entries that
 * are special (GPT-2 has one: `<|endoftext|>`), written as plain text rather than byte-level.
 */
export function fromGPT2Files(vocabJson: string | Record<string, number>, mergesTxt: string, specialTokens: string[] = ['<|endoftext|>']): TokenizerParts {
  let entries: unknown = vocabJson;
  if (typeof vocabJson === 'string') {
    try {
      entries = JSON.parse(vocabJson);
    } catch (e) {
      throw new UnsupportedTokenizerError(`vocab.json is not valid JSON: ${(e as Error).message}`);
    }
  }
  if (!isRecord(entries)) throw new UnsupportedTokenizerError('vocab.json must be an object of token → id');
  const specials = new Set(specialTokens);
  const vocab = vocabFromStrings(entries, specials);
  const merges: Array<[Uint8Array, Uint8Array]> = [];
  const lines = mergesTxt.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '' || (i === 0 && line.startsWith('#version'))) return;
    const [l, r] = parseMerge(line, merges.length);
    merges.push([byteLevelToBytes(l), byteLevelToBytes(r)]);
  });
  const present = specialTokens.filter((s) => s in entries);
  return { vocab, merges, specialTokens: present };
}
