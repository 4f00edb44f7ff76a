/**
 * What the tokenization lab asks of its worker, declared once for both sides, and the
 * implementation (framework-free, so it also runs on the main thread as a fallback and in Node
 * tests). The OpenAI encodings come from `gpt-tokenizer`, their tables loaded on first use from
 * one shared static file each (0.6–2.4 MB of JavaScript: out of the main chunk, and shipped once).
 */
import type { CallContext } from '../rpc/protocol';
import { transfer } from '../rpc/protocol';
import r50kUrl from 'gpt-tokenizer/bpeRanks/r50k_base?url';
import cl100kUrl from 'gpt-tokenizer/bpeRanks/cl100k_base?url';
import o200kUrl from 'gpt-tokenizer/bpeRanks/o200k_base?url';
import { Tokenizer } from './tokenizer';
import { trainBPE, type MergeStep } from './train';

import type { TokenizerKind } from './kinds';

export { KIND_LABELS, TOKENIZER_KINDS, type TokenizerKind } from './kinds';
export { corpusFromBytes } from './corpus';

/** Tokens of one text under one tokenizer, packed for cheap transfer. */
export interface Tokenized {
  kind: TokenizerKind;
  /** [n] token ids */
  ids: Int32Array;
  /** [n + 1] offsets into `bytes`: token i is bytes[offsets[i]..offsets[i+1]] */
  offsets: Int32Array;
  /** all token bytes, concatenated */
  bytes: Uint8Array;
  /** ids that are special tokens */
  special: number[];
  vocabSize: number;
  ms: number;
}

export type TokenizeReply = Tokenized | { kind: TokenizerKind; error: string };

/** A batch of merges reported while training (sent every ~50 ms, not one message per merge). */
export interface TrainUpdate {
  phase: 'pretokenize' | 'merge';
  done: number;
  total: number;
  merges: Array<{ index: number; id: number; left: Uint8Array; right: Uint8Array; count: number }>;
}

export interface TrainSummary {
  /** Hugging Face tokenizer.json of the result (to download, or to restore the worker). */
  json: string;
  merges: number;
  vocabSize: number;
  ms: number;
  uniqueWords: number;
  corpusBytes: number;
}

export interface TokenizerLabApi {
  /** Tokenizes `text` with each requested tokenizer (errors per tokenizer, as data; buffers transferred). */
  tokenize(text: string, kinds: TokenizerKind[]): Promise<TokenizeReply[]>;
  /**
   * Trains on `corpus` (validated UTF-8 text) and makes the result the 'trained' tokenizer.
   * One synchronous loop: the page cancels it by stopping the worker (`cancel: 'terminate'`).
   */
  train(corpus: string, vocabSize: number, specials: string[], ctx: CallContext<TrainUpdate>): Promise<TrainSummary>;
  /** Installs a tokenizer.json as 'trained' or 'tinylm'. */
  load(kind: 'trained' | 'tinylm', json: string): Promise<{ vocabSize: number }>;
}

interface GptEncodingModule {
  encode(text: string, opts?: { disallowedSpecial?: Set<string> }): number[];
  decode(ids: number[]): string;
}

type OpenAIKind = 'r50k' | 'cl100k' | 'o200k';
type Ranks = ReadonlyArray<string | readonly number[]>;

/**
 * Each encoding's table (0.6–2.4 MB of JavaScript) as one static file, fetched on first use:
 * `?url` emits the package's file as-is under a content hash, so the page's build and the
 * worker's build point at the same file and the offline precache holds it once (imported as
 * modules, each build would bundle its own copy).
 */
const RANK_URLS: Record<OpenAIKind, string> = {
  r50k: r50kUrl,
  cl100k: cl100kUrl,
  o200k: o200kUrl,
};
const ENCODING_NAMES = { r50k: 'r50k_base', cl100k: 'cl100k_base', o200k: 'o200k_base' } as const;

async function loadRanks(kind: OpenAIKind): Promise<Ranks> {
  const node = typeof process !== 'undefined' && !!process.versions?.node && typeof document === 'undefined' && !('WorkerGlobalScope' in globalThis);
  // In Node (tests, scripts) the package resolves natively; in a page or worker, from the asset URL.
  const specifier = node ? `gpt-tokenizer/bpeRanks/${ENCODING_NAMES[kind]}` : RANK_URLS[kind];
  const mod = (await import(/* @vite-ignore */ specifier)) as { default: Ranks };
  return mod.default;
}

async function loadOpenAI(kind: OpenAIKind): Promise<{ enc: GptEncodingModule; ranks: Ranks }> {
  const [{ GptEncoding }, ranks] = await Promise.all([import('gpt-tokenizer/GptEncoding'), loadRanks(kind)]);
  const enc = GptEncoding.getEncodingApi(ENCODING_NAMES[kind], () => ranks as (string | number[])[]);
  return { enc, ranks };
}

function pack(kind: TokenizerKind, ids: number[], bytesOf: (id: number) => Uint8Array, special: (id: number) => boolean, vocabSize: number, ms: number): Tokenized {
  const offsets = new Int32Array(ids.length + 1);
  const parts: Uint8Array[] = [];
  let n = 0;
  const specials: number[] = [];
  ids.forEach((id, i) => {
    const b = bytesOf(id);
    parts.push(b);
    n += b.length;
    offsets[i + 1] = n;
    if (special(id)) specials.push(id);
  });
  const bytes = new Uint8Array(n);
  parts.forEach((p, i) => bytes.set(p, offsets[i]));
  return { kind, ids: Int32Array.from(ids), offsets, bytes, special: [...new Set(specials)], vocabSize, ms };
}

/** The lab's worker implementation (also usable in-thread). */
export function createTokenizerLabApi(): TokenizerLabApi {
  const ours: Partial<Record<'trained' | 'tinylm', Tokenizer>> = {};
  const openai = new Map<string, ReturnType<typeof loadOpenAI>>();
  const enc = new TextEncoder();

  async function one(text: string, kind: TokenizerKind): Promise<TokenizeReply> {
    try {
      if (kind === 'trained' || kind === 'tinylm') {
        const tok = ours[kind];
        if (!tok) return { kind, error: kind === 'trained' ? 'Not trained yet: train a tokenizer below.' : 'Not available: the built-in model has not been loaded.' };
        const t0 = performance.now();
        // User text is untrusted: special tokens typed by the learner are ordinary text.
        const ids = tok.encode(text, { allowedSpecial: [] });
        return pack(kind, ids, (id) => tok.tokenBytes(id)!, (id) => tok.isSpecial(id), tok.vocabSize, performance.now() - t0);
      }
      let p = openai.get(kind);
      if (!p) {
        p = loadOpenAI(kind);
        openai.set(kind, p);
        p.catch(() => openai.delete(kind));
      }
      const { enc: e, ranks } = await p;
      const t0 = performance.now();
      const ids = e.encode(text, { disallowedSpecial: new Set() });
      const ms = performance.now() - t0;
      const bytesOf = (id: number): Uint8Array => {
        const r = ranks[id];
        if (typeof r === 'string') return enc.encode(r);
        if (r) return Uint8Array.from(r);
        return enc.encode(e.decode([id]));
      };
      return pack(kind, ids, bytesOf, (id) => ranks[id] === undefined, ranks.length, ms);
    } catch (err) {
      return { kind, error: `Could not load this tokenizer: ${(err as Error).message}` };
    }
  }

  return {
    async tokenize(text, kinds) {
      const out = await Promise.all(kinds.map((k) => one(text, k)));
      return transfer(out, out.flatMap((r) => ('ids' in r ? [r.ids.buffer, r.offsets.buffer, r.bytes.buffer] : [])) as ArrayBuffer[]);
    },

    async train(corpus, vocabSize, specials, ctx) {
      const t0 = performance.now();
      let pending: TrainUpdate['merges'] = [];
      let last = 0;
      const flush = (phase: TrainUpdate['phase'], done: number, total: number) => {
        void ctx.progress({ phase, done, total, merges: pending });
        pending = [];
        last = performance.now();
      };
      const total = vocabSize - 256 - specials.length;
      const res = trainBPE(corpus, vocabSize, specials, {
        onMerge: (m: MergeStep) => {
          pending.push({ index: m.index, id: m.id, left: m.left, right: m.right, count: m.count });
          if (performance.now() - last > 50) flush('merge', m.index + 1, total);
        },
        onProgress: (p) => {
          if (p.phase === 'pretokenize') flush('pretokenize', p.done, p.total);
        },
      });
      flush('merge', res.merges.length, total);
      const tok = new Tokenizer(res.vocab, res.merges, specials);
      ours.trained = tok;
      return {
        json: JSON.stringify(tok.toHFJson()),
        merges: res.merges.length,
        vocabSize: tok.vocabSize,
        ms: performance.now() - t0,
        uniqueWords: res.stats.uniqueWords,
        corpusBytes: res.stats.bytes,
      };
    },

    async load(kind, json) {
      const tok = Tokenizer.fromHFJson(json);
      ours[kind] = tok;
      return { vocabSize: tok.vocabSize };
    },
  };
}
