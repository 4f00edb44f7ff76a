/**
 * Lessons 1.0, 1.1, 2.1: time to the first result of each lab's computation (what the worker
 * does before the lab shows something), against the product's budget of ~2 s on a 2-core laptop.
 * Uses the shipped TinyLM base checkpoint from public/models.
 */
import { readFileSync } from 'node:fs';
import { loadModel } from '../../src/lib/tinylm/checkpoint';
import { PlaygroundSession } from '../../src/lib/nn-playground';
import { traceForward } from '../../src/lib/inspect/trace';
import { drawSamples, nextLogits, runAblation, trainVariants } from '../../src/lib/inspect/experiments';
import { heldOutStories, lossByContext, tokenSurprise } from '../../src/lib/inspect/held-out';
import { samplingDistribution } from '../../src/lib/sampling';
import { OOD_EXAMPLE } from '../../src/labs/ablations/held-out';

const BUDGET_MS = 2000;

function time<T>(fn: () => T, reps = 3): { ms: number; value: T } {
  let best = Infinity;
  let value!: T;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    value = fn();
    best = Math.min(best, performance.now() - t0);
  }
  return { ms: best, value };
}

export default async function run(): Promise<void> {
  const dir = 'public/models/tinylm-base/';
  const t0 = performance.now();
  const { model, tokenizer } = loadModel({
    config: JSON.parse(readFileSync(dir + 'config.json', 'utf8')),
    safetensors: new Uint8Array(readFileSync(dir + 'model.safetensors')),
    tokenizer: JSON.parse(readFileSync(dir + 'tokenizer.json', 'utf8')),
  });
  const loadMs = performance.now() - t0;
  const prompt = tokenizer.encode('Once upon a time, there was a little girl named Mia. Mia saw a big dog.');
  const stories = heldOutStories(tokenizer, 8); // what the ablation and context labs measure on
  const held = stories.ids;
  const story = tokenizer.encode(readFileSync('public/corpora/stories.txt', 'utf8').slice(0, 6000)).slice(0, 288);
  const cfg = { dataset: 'circle' as const, noise: 0.05, points: 200, hidden: [4, 4], activation: 'tanh' as const, learningRate: 0.3, batchSize: 10, seed: 1 };

  const rows: Array<[string, number]> = [
    ['TinyLM base: parse checkpoint', loadMs],
    ['nn-playground: build + first boundary (40×40)', time(() => new PlaygroundSession(cfg).snapshot(40)).ms],
    ['nn-playground: one Train tick (5 steps + boundary)', time(() => { const s = new PlaygroundSession(cfg); const t1 = performance.now(); s.run(5); s.snapshot(40); return performance.now() - t1; }).value],
    ['sampling: next-token logits + traced pipeline', time(() => samplingDistribution(nextLogits(model, prompt), { temperature: 0.8, topK: 20, topP: 0.9 }, { trace: true })).ms],
    ['sampling: 8 draws × 20 tokens + greedy', time(() => drawSamples(model, prompt, { temperature: 1 }, 8, 1, 20), 1).ms],
    [`attention / decoder-block: full trace (${prompt.length} tokens)`, time(() => traceForward(model, prompt, { layer: 0, head: 0 })).ms],
    [`ablations: baseline + ablated (prompt + ${held.length}-token held-out loss)`, time(() => [runAblation(model, prompt, held, {}), runAblation(model, prompt, held, { ffn: [0] })]).ms],
    ['ablations: out-of-distribution surprise (default text)', time(() => tokenSurprise(model, tokenizer.encode(OOD_EXAMPLE))).ms],
    ['context-window demo: loss by context (8 windows × 24 targets)', time(() => lossByContext(model, stories, [1, 2, 4, 8, 16, 32, 64, 128]), 1).ms],
  ];
  const trainMs = time(() => [...trainVariants(story, tokenizer.vocabSize, ['baseline'], { steps: 10 })], 1).ms / 10;
  console.log(`budget for a first result: ${BUDGET_MS} ms (PRODUCT.md: "within a couple of seconds on a 2-core laptop")\n`);
  console.log('computation'.padEnd(58) + 'ms'.padStart(9) + '   × budget');
  for (const [name, ms] of rows) console.log(name.padEnd(58) + ms.toFixed(1).padStart(9) + `   ${(ms / BUDGET_MS).toFixed(3)}`);
  console.log(`\nablations training comparison: ${trainMs.toFixed(1)} ms per step → ${(trainMs * 60 * 3 / 1000).toFixed(1)} s for the default 3 × 60 steps (runs in the worker with progress and cancel)`);
}
