/**
 * Lesson 2.2's quality bars, side by side in one run on the shipped tinylm-chat and the lesson's
 * task (context QA answered as {"answer": …}; 2000 training examples, held-out loss on 64 others,
 * greedy score on 50 more):
 *  1. Full fine-tuning vs LoRA (r 8, alpha 16, every linear layer) vs QLoRA (the same adapter on an
 *     NF4 base with double quantization), each the lab's default run (100 steps of 4 × 112 tokens):
 *     held-out loss, gap to full fine-tuning (bar: LoRA within 0.05 nats), trainable parameters
 *     (bar: about a tenth), QLoRA − LoRA (bar: within 0.05 nats), ms/step, optimizer memory, and the
 *     default LoRA run's wall time (bar: about a minute on a 2-core machine without a GPU).
 *  2. Lesson 2.2.d: LoRA on the shipped dirty sample as it came vs after the curation lab's
 *     default pipeline (one seed; `npm run finetune:measure` averages three for the lesson).
 * Baseline: full fine-tuning for (1), the raw rows for (2).
 *
 * Run: npm run bench finetune   (about 2 minutes of CPU)
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../../src/lib/tinylm/checkpoint';
import { FineTuner, type FinetuneMethod } from '../../src/lib/tinylm/finetune';
import { makeTaskExamples, scoreTask, TASK_SEEDS, taskTokens } from '../../src/lib/finetune/task';
import { DEFAULT_LORA_CONFIG, TASK_SPLITS, defaultTrain } from '../../src/lib/finetune/recipe';
import { measureCuration } from '../../scripts/lib/curation-compare';

const dir = 'public/models/tinylm-chat';
const load = () => loadModel({
  config: readFileSync(join(dir, 'config.json'), 'utf8'),
  safetensors: readFileSync(join(dir, 'model.safetensors')),
  tokenizer: readFileSync(join(dir, 'tokenizer.json'), 'utf8'),
});
const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const kb = (b: number) => (b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : `${(b / 1e3).toFixed(0)} kB`);
const bar = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

export default async function run(): Promise<void> {
  console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores (wall times stretch with it; CPU seconds do not)`);
  const { tokenizer: tok } = load();
  const train = taskTokens(tok, makeTaskExamples(TASK_SPLITS.train, TASK_SEEDS.train));
  const val = taskTokens(tok, makeTaskExamples(TASK_SPLITS.val, TASK_SEEDS.val));
  const test = makeTaskExamples(TASK_SPLITS.test, TASK_SEEDS.test);
  const rows: Record<FinetuneMethod, { valLoss: number; exact: number; trainable: number; base: number; optimizer: number; baseBytes: number; stepMs: number; wall: number }> = {} as never;
  for (const method of ['full', 'lora', 'qlora'] as FinetuneMethod[]) {
    const { model } = load(); // each run starts from the shipped weights
    const ft = new FineTuner(model, train, { method, lora: DEFAULT_LORA_CONFIG, doubleQuant: true, train: defaultTrain(method) });
    const t0 = performance.now(), c0 = process.cpuUsage();
    await ft.trainer.run();
    const wall = (performance.now() - t0) / 1000, c = process.cpuUsage(c0);
    const m = ft.memory();
    rows[method] = {
      valLoss: ft.evaluate(val, 16), exact: scoreTask(ft.mergedModel(), tok, test).exact, trainable: m.trainable, base: m.baseParams,
      optimizer: m.optimizerBytes, baseBytes: m.baseBytes, stepMs: ((c.user + c.system) / 1e3) / ft.trainer.step, wall,
    };
  }
  console.log('\n1. Full fine-tuning vs LoRA vs QLoRA (100 steps each, same data and seed)');
  console.log('method   held-out loss  Δ vs full  trainable          optimizer  base weights  ms/step (CPU)  train wall  held-out right');
  for (const [m, r] of Object.entries(rows)) {
    console.log(`${m.padEnd(8)} ${f(r.valLoss, 4).padStart(13)}  ${(m === 'full' ? '—' : f(r.valLoss - rows.full.valLoss, 4)).padStart(9)}  ${`${r.trainable.toLocaleString('en')} (${(100 * r.trainable / r.base).toFixed(1)} %)`.padEnd(17)}  ${kb(r.optimizer).padStart(9)}  ${kb(r.baseBytes).padStart(12)}  ${f(r.stepMs, 0).padStart(13)}  ${f(r.wall, 1).padStart(8)} s  ${f(r.exact, 2).padStart(14)}`);
  }
  const gap = rows.lora.valLoss - rows.full.valLoss, qgap = rows.qlora.valLoss - rows.lora.valLoss, frac = rows.lora.trainable / rows.full.trainable;
  console.log(`bar: LoRA − full = ${f(gap, 4)} nats (≤ 0.05)                  ${bar(gap <= 0.05)}`);
  console.log(`bar: LoRA trainable / full = ${f(frac, 3)} (about 1/10: 0.05–0.2)    ${bar(frac >= 0.05 && frac <= 0.2)}`);
  console.log(`bar: QLoRA − LoRA = ${f(qgap, 4)} nats (≤ 0.05)                 ${bar(Math.abs(qgap) <= 0.05)}`);
  console.log(`bar: default LoRA run ${f(rows.lora.wall, 1)} s wall here, ${f(rows.lora.stepMs * 100 / 1000, 1)} s CPU (about a minute on 2 cores: ≤ 90 s CPU)  ${bar(rows.lora.stepMs * 100 / 1000 <= 90)}`);
  console.log('  (the lab adds scoring: 50 greedy replies and the held-out loss, a few seconds)');

  console.log('\n2. Lesson 2.2.d: LoRA on the dirty sample as it came vs curated (baseline: raw)');
  const cur = await measureCuration([1]);
  const r = cur.runs[0];
  console.log(`held-out loss raw ${f(r.raw.valLoss)} → curated ${f(r.curated.valLoss)} (Δ ${f(r.curated.valLoss - r.raw.valLoss)}); right answers ${f(r.raw.exact, 2)} → ${f(r.curated.exact, 2)}; `
    + `training PII written out on ${r.raw.leakedProbes}/${r.raw.probes} probes → ${r.curated.leakedProbes}/${r.curated.probes}`);
  console.log(`  ${r.raw.rows} raw rows vs ${r.curated.rows} curated; one seed — npm run finetune:measure averages seeds ${'1, 2, 3'} for the lesson`);
}
