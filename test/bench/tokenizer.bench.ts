/**
 * Tokenizer benchmarks (`npm run bench tokenizer`):
 *  1. BPE training on the shipped ~130 kB English corpus to vocab 500, against the Stanford CS336
 *     assignment 1 reference (Python reference solution 0.38 s; the assignment's test allows 1.5 s).
 *  2. Encoding throughput with GPT-2's vocabulary on the same few MB of mixed text, against
 *     gpt-tokenizer's r50k_base (ids are checked to be identical).
 *  3. Training on the built-in model's tokenizer corpus and on a few MB: seconds and peak memory.
 */
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { encode as gptTokenizerEncode } from 'gpt-tokenizer/encoding/r50k_base';
import { trainBPE } from '../../src/lib/tokenizer';
import { gpt2Tokenizer } from '../fixtures/tokenizer/gpt2';
import { generateStories, generateZipfText } from '../fixtures/tokenizer/make-corpora';
import { tokenizerText } from '../../src/lib/tinylm/corpus';
import { TOKENIZER_VOCAB } from '../../src/lib/tinylm/presets';

const CS336_PYTHON_REFERENCE_S = 0.38;
const CS336_TEST_LIMIT_S = 1.5;
const SPECIALS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'];

const read = (p: string) => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');
const mb = (bytes: number) => bytes / 1024 / 1024;
const fmt = (x: number, d = 3) => x.toFixed(d);

/** A forced full GC (so heap figures start from a clean baseline), without needing --expose-gc. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

function timeIt(fn: () => void, runs: number): { best: number; median: number } {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  return { best: times[0], median: times[Math.floor(times.length / 2)] };
}

export default async function run(): Promise<void> {
  benchTraining();
  benchEncoding();
  benchBigTraining();
}

function benchTraining(): void {
  // 1. Training, ~130 kB → 500.
  const stories = read('public/corpora/stories.txt');
  trainBPE(stories, 500, SPECIALS); // warm-up (JIT)
  const train = timeIt(() => trainBPE(stories, 500, SPECIALS), 7);
  console.log(`\nBPE training: ${fmt(stories.length / 1024, 0)} kB English → vocab 500 (${SPECIALS.length} special tokens)`);
  console.table([
    { implementation: 'ours (Node, median of 7)', seconds: fmt(train.median), 'vs CS336 reference': `${fmt(CS336_PYTHON_REFERENCE_S / train.median, 1)}× faster` },
    { implementation: 'CS336 Python reference', seconds: fmt(CS336_PYTHON_REFERENCE_S, 2), 'vs CS336 reference': '1×' },
    { implementation: 'CS336 test limit', seconds: fmt(CS336_TEST_LIMIT_S, 2), 'vs CS336 reference': '' },
  ]);
}

function benchEncoding(): void {
  // 2. Encoding throughput on a few MB of mixed text (stories, many languages, code, numbers).
  const mixed = read('public/corpora/mixed.txt');
  const parts: string[] = [];
  for (let i = 0; i < 8; i++) parts.push(generateStories(300_000, 100 + i), mixed.repeat(20));
  const text = parts.join('\n');
  const bytes = new TextEncoder().encode(text).length;
  const tok = gpt2Tokenizer();
  const ours = tok.encode(text, { allowedSpecial: [] });
  const theirs = gptTokenizerEncode(text, { disallowedSpecial: new Set() });
  const same = ours.length === theirs.length && ours.every((id, i) => id === theirs[i]);
  const tOurs = timeIt(() => tok.encode(text, { allowedSpecial: [] }), 5);
  const tTheirs = timeIt(() => gptTokenizerEncode(text, { disallowedSpecial: new Set() }), 5);
  console.log(`\nEncoding with GPT-2's vocabulary: ${fmt(mb(bytes), 1)} MB mixed text, ${ours.length.toLocaleString('en')} tokens (identical ids: ${same ? 'yes' : 'NO'})`);
  console.table([
    { implementation: 'ours', 'best s': fmt(tOurs.best), 'MB/s': fmt(mb(bytes) / tOurs.best, 1), 'ratio vs gpt-tokenizer': `${fmt(tTheirs.best / tOurs.best, 2)}×` },
    { implementation: 'gpt-tokenizer r50k_base', 'best s': fmt(tTheirs.best), 'MB/s': fmt(mb(bytes) / tTheirs.best, 1), 'ratio vs gpt-tokenizer': '1×' },
  ]);
}

function benchBigTraining(): void {
  const mixed = read('public/corpora/mixed.txt');
  // 3. Training at the built-in model's scale and on a few MB: time and peak memory (sampled at
  //    every progress report).
  const tinyText = tokenizerText();
  const big = generateStories(1_000_000, 7) + generateZipfText(3_000_000, 7) + mixed.repeat(50);
  const runs: Array<[string, string, number]> = [
    [`TinyLM tokenizer corpus (${fmt(mb(new TextEncoder().encode(tinyText).length), 1)} MB)`, tinyText, TOKENIZER_VOCAB],
    ['4 MB stories + Zipf text', big, 4096],
    ['4 MB stories + Zipf text', big, 16384],
  ];
  const rows: Array<Record<string, string>> = [];
  for (const [name, corpus, vocabSize] of runs) {
    collectGarbage();
    const base = process.memoryUsage();
    let peakHeap = base.heapUsed;
    let peakRss = base.rss;
    const sample = () => {
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakRss = Math.max(peakRss, m.rss);
    };
    const t0 = performance.now();
    const res = trainBPE(corpus, vocabSize, SPECIALS, { onProgress: sample, progressEvery: 25 });
    const secs = (performance.now() - t0) / 1000;
    sample();
    rows.push({
      corpus: name,
      'vocab size': String(vocabSize),
      merges: String(res.merges.length),
      seconds: fmt(secs, 2),
      'peak heap MB': fmt(mb(peakHeap), 0),
      'heap growth MB': fmt(mb(peakHeap - base.heapUsed), 0),
      'peak RSS MB': fmt(mb(peakRss), 0),
      'unique pre-tokens': res.stats.uniqueWords.toLocaleString('en'),
    });
  }
  console.log('\nBPE training at the built-in model\'s scale and on a few MB (no baseline; for sizing)');
  console.table(rows);
}

if (process.argv[1]?.endsWith('tokenizer.bench.ts')) void run();
