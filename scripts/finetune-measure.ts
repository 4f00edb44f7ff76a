/**
 * Measures lesson 2.2's figures and writes them to src/curriculum/lessons/2.2/results.json (the
 * lesson text imports them; never retype them):
 *  - the shipped chat model's score on the fine-tuning task before any training;
 *  - full fine-tuning, LoRA (r 8, all linear layers) and QLoRA (same adapter on an NF4 base with
 *    double quantization), each the lab's default run: loss curve, held-out loss, trainable
 *    parameters, optimizer memory, step time, held-out task score after;
 *  - NF4's round-trip error on TinyLM's linear weights next to ggml's Q8_0 and Q4_0;
 *  - for the data lesson: the LoRA run again with the loss on every token instead of the reply only;
 *  - for the data lesson (2.2.d): LoRA on the shipped dirty sample as it came vs after the curation
 *    lab's default pipeline, three seeds (`scripts/lib/curation-compare.ts`, as the lab runs it).
 * Usage: npm run finetune:measure [-- --steps 100]   (about 3.5 minutes of CPU on one core)
 *        npm run finetune:measure -- --only curation  (just the 2.2.d comparison, ~2 minutes; the
 *        rest of results.json is kept)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../src/lib/tinylm/checkpoint';
import { FineTuner, linearWeightNames, type FinetuneMethod } from '../src/lib/tinylm/finetune';
import { nf4Error } from '../src/lib/tinylm/nf4';
import { quantizationError, type QuantType } from '../src/lib/tinylm/quant';
import { makeTaskExamples, scoreTask, TASK_SEEDS, taskTokens } from '../src/lib/finetune/task';
import { DEFAULT_LORA_CONFIG, TASK_SPLITS, defaultTrain } from '../src/lib/finetune/recipe';

import { measureCuration } from './lib/curation-compare';

const args = process.argv.slice(2);
const steps = Number(args[args.indexOf('--steps') + 1] || 0) || 100;
const RESULTS = 'src/curriculum/lessons/2.2/results.json';
const CURATION_SEEDS = [1, 2, 3];

if (args.includes('--only') && args[args.indexOf('--only') + 1] === 'curation') {
  const previous = existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) : { generatedBy: 'npm run finetune:measure' };
  console.log('2.2.d raw vs curated:');
  const curation = await measureCuration(CURATION_SEEDS);
  writeFileSync(RESULTS, JSON.stringify({ ...previous, curation }, null, 1) + '\n');
  console.log('mean', curation.mean, `→ ${RESULTS}`);
  process.exit(0);
}
const dir = 'public/models/tinylm-chat';
const load = () => loadModel({
  config: readFileSync(join(dir, 'config.json'), 'utf8'),
  safetensors: readFileSync(join(dir, 'model.safetensors')),
  tokenizer: readFileSync(join(dir, 'tokenizer.json'), 'utf8'),
});
const round = (x: number, d = 4) => Number(x.toFixed(d));

const { model: chat, tokenizer: tok } = load();
const trainData = taskTokens(tok, makeTaskExamples(TASK_SPLITS.train, TASK_SEEDS.train));
const valData = taskTokens(tok, makeTaskExamples(TASK_SPLITS.val, TASK_SEEDS.val));
const test = makeTaskExamples(TASK_SPLITS.test, TASK_SEEDS.test);
const before = scoreTask(chat, tok, test);
console.log(`chat model before: format ${before.format}, exact ${before.exact} (n ${before.n})`);

const runs = [];
for (const method of ['full', 'lora', 'qlora'] as FinetuneMethod[]) {
  const { model } = load(); // each run starts from the shipped weights
  const ft = new FineTuner(model, trainData, { method, lora: DEFAULT_LORA_CONFIG, doubleQuant: true, train: defaultTrain(method, steps) });
  const valLoss0 = ft.evaluate(valData, 16);
  const losses: number[] = [];
  const t0 = performance.now(), c0 = process.cpuUsage();
  await ft.trainer.run((s) => losses.push(round(s.loss)));
  const seconds = (performance.now() - t0) / 1000;
  const c1 = process.cpuUsage(c0);
  // CPU time of this process: on a shared machine wall time depends on everyone else's load.
  const cpuSeconds = (c1.user + c1.system) / 1e6;
  const valLoss = ft.evaluate(valData, 16);
  const score = scoreTask(ft.mergedModel(), tok, test, 2);
  const memory = ft.memory();
  runs.push({
    method, steps, valLoss0: round(valLoss0), valLoss: round(valLoss), losses, seconds: round(seconds, 1), cpuSeconds: round(cpuSeconds, 1),
    stepMs: round((cpuSeconds * 1000) / steps, 0), memory, trainableFraction: round(memory.trainable / memory.baseParams),
    score: { format: score.format, exact: score.exact, n: score.n, samples: score.samples },
  });
  console.log(`${method}: val ${valLoss0.toFixed(3)} → ${valLoss.toFixed(4)}, ${memory.trainable} trainable, ${seconds.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU, exact ${score.exact}`);
}
const by = Object.fromEntries(runs.map((r) => [r.method, r]));

// Lesson 2.2.d: the same LoRA run with the loss on every token (prompt too) instead of the reply only.
const allTokens = { tokens: trainData.tokens, starts: trainData.starts }; // no mask: every next token is a target
const { model: m2 } = load();
const ftAll = new FineTuner(m2, allTokens, { method: 'lora', lora: DEFAULT_LORA_CONFIG, train: defaultTrain('lora', steps) });
await ftAll.trainer.run();
const allScore = scoreTask(ftAll.mergedModel(), tok, test, 2);
const maskAblation = {
  replyOnly: { valLoss: by.lora.valLoss, exact: by.lora.score.exact },
  allTokens: { valLoss: round(ftAll.evaluate(valData, 16)), exact: allScore.exact },
};
console.log('loss on every token:', maskAblation.allTokens, 'reply only:', maskAblation.replyOnly);

// NF4 vs ggml's block formats on the chat model's linear weights (all of them together).
const names = linearWeightNames(chat.weights);
const all = new Float32Array(names.reduce((n, k) => n + chat.weight(k).data.length, 0));
let o = 0;
for (const k of names) all.set(chat.weight(k).data, o), (o += chat.weight(k).data.length);
let sx = 0;
for (const v of all) sx += v * v;
const rms = Math.sqrt(sx / all.length);
const quant = [
  ...(['q8_0', 'q4_0'] as QuantType[]).map((t) => {
    const e = quantizationError(t, all);
    return { type: t, bits: e.bitsPerWeight, relRmse: round(e.rmse / rms), snrDb: round(e.snrDb, 2) };
  }),
  (() => {
    // symmetric absmax int4 (codes −7…7) in blocks of 64 with an f32 scale: the naive 4-bit baseline
    let se = 0;
    for (let b = 0; b < all.length; b += 64) {
      let m = 0;
      for (let i = b; i < b + 64; i++) m = Math.max(m, Math.abs(all[i]));
      const d = m / 7 || 1;
      for (let i = b; i < b + 64; i++) se += (Math.max(-7, Math.min(7, Math.round(all[i] / d))) * d - all[i]) ** 2;
    }
    return { type: 'int4', bits: 4.5, relRmse: round(Math.sqrt(se / sx)), snrDb: round(10 * Math.log10(sx / se), 2) };
  })(),
  ...[false, true].map((dq) => {
    const e = nf4Error(all, { doubleQuant: dq });
    return { type: dq ? 'nf4+dq' : 'nf4', bits: round(e.bitsPerWeight, 3), relRmse: round(e.relRmse), snrDb: round(e.snrDb, 2) };
  }),
];
console.table(quant);

console.log('2.2.d raw vs curated:');
const curation = await measureCuration(CURATION_SEEDS);
console.log('mean', curation.mean);

const results = {
  generatedBy: 'npm run finetune:measure',
  model: 'tinylm-chat',
  task: { name: 'context QA answered as {"answer": ...}', splits: TASK_SPLITS, before: { format: before.format, exact: before.exact, n: before.n, samples: before.samples.slice(0, 2) } },
  lora: DEFAULT_LORA_CONFIG,
  runs,
  bars: {
    loraMinusFull: round(by.lora.valLoss - by.full.valLoss),
    qloraMinusLora: round(by.qlora.valLoss - by.lora.valLoss),
    loraParamFraction: round(by.lora.memory.trainable / by.full.memory.trainable),
  },
  quant: { weights: all.length, rows: quant },
  maskAblation,
  curation,
};
writeFileSync(RESULTS, JSON.stringify(results, null, 1) + '\n');
console.log('bars', results.bars, '→ src/curriculum/lessons/2.2/results.json');
