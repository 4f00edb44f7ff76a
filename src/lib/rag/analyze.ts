/**
 * Text analysis shared by BM25 and the lexical embedder. The choices, as in Lucene's
 * EnglishAnalyzer-like default of Anserini/Pyserini (the usual BM25 baselines on BEIR/TREC):
 * - split on anything that is not a letter or digit (Unicode-aware),
 * - lowercase,
 * - drop the 33 Lucene English stopwords,
 * - Porter-stem each remaining term.
 * (Anserini's analyzer also strips possessives "'s"; we do the same.)
 */
import { porterStem } from './porter';

/** Lucene's EnglishAnalyzer.ENGLISH_STOP_WORDS_SET (33 words). */
export const STOPWORDS = new Set(
  'a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with'.split(' '),
);

export interface AnalyzeOptions {
  stopwords?: boolean;
  stem?: boolean;
}

const stemCache = new Map<string, string>();

/** Terms of `text` after lowercasing, stopword removal and Porter stemming (each can be turned off). */
export function analyze(text: string, opts: AnalyzeOptions = {}): string[] {
  const { stopwords = true, stem = true } = opts;
  const out: string[] = [];
  for (const raw of text.toLowerCase().replace(/['’]s\b/g, '').split(/[^\p{L}\p{N}]+/u)) {
    if (raw.length === 0) continue;
    if (stopwords && STOPWORDS.has(raw)) continue;
    if (!stem) {
      out.push(raw);
      continue;
    }
    let s = stemCache.get(raw);
    if (s === undefined) {
      s = porterStem(raw);
      if (stemCache.size < 200_000) stemCache.set(raw, s);
    }
    out.push(s);
  }
  return out;
}
