/**
 * Measures lesson 2.3's figures and writes them to src/curriculum/lessons/2.3/results.json (the
 * lesson imports them; never retype them):
 *  - the shipped chat model's behaviour score on held-out prompts (abstain when the context lacks
 *    the answer, answer right when it has it), judged by a program;
 *  - the lab's default DPO run (β 0.1, LoRA r 8 on every linear layer, RPO α as in the recipe):
 *    per-step TRL metrics and KL, held-out pair metrics before/after, behaviour score after,
 *    wall and CPU time;
 *  - the same run with pure DPO (RPO α = 0), to show what DPO alone does from this start;
 *  - the quality bars: held-out pair accuracy ≥ 0.9, mean margin > 0, behaviour +20 points.
 * Usage: npm run align:measure [-- --steps 60] [-- --no-pure]   (about 2 minutes of CPU)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../src/lib/tinylm/checkpoint';
import { DpoTrainer, tokenizePair, type DpoConfig } from '../src/lib/align/dpo';
import { behaviourScore, makePairs, PAIR_SEEDS } from '../src/lib/align/pairs';
import { DEFAULT_DPO, PAIR_SPLITS } from '../src/lib/align/recipe';

const args = process.argv.slice(2);
const steps = Number(args[args.indexOf('--steps') + 1] || 0) || DEFAULT_DPO.steps;
const dir = 'public/models/tinylm-chat';
const { model, tokenizer: tok } = loadModel({
  config: readFileSync(join(dir, 'config.json'), 'utf8'),
  safetensors: readFileSync(join(dir, 'model.safetensors')),
  tokenizer: readFileSync(join(dir, 'tokenizer.json'), 'utf8'),
});
const r4 = (x: number, d = 4) => Number(x.toFixed(d));

const train = makePairs(PAIR_SPLITS.train, PAIR_SEEDS.train).map((p) => tokenizePair(tok, p));
const heldOut = makePairs(PAIR_SPLITS.heldOut, PAIR_SEEDS.test).map((p) => tokenizePair(tok, p));
const behaviourSet = makePairs(PAIR_SPLITS.behaviour, PAIR_SEEDS.test + 1);
const maxLen = Math.max(...[...train, ...heldOut].map((p) => p.prompt.length + Math.max(p.chosen.length, p.rejected.length)));
const base = behaviourScore(model, tok, behaviourSet, 4);
console.log(`reference: behaviour ${base.score} (abstain ${base.abstainRate}, answer ${base.answerRate}), longest pair ${maxLen} tokens`);

async function measure(cfg: DpoConfig) {
  const tr = new DpoTrainer(model, train, cfg);
  const heldBefore = tr.evaluate(heldOut);
  const curve: Record<string, number>[] = [];
  const t0 = performance.now(), c0 = process.cpuUsage();
  await tr.run((s) => curve.push({ step: s.step, loss: r4(s.loss), acc: r4(s['rewards/accuracies']), margin: r4(s['rewards/margins']), chosen: r4(s['rewards/chosen']), rejected: r4(s['rewards/rejected']), logpsChosen: r4(s['logps/chosen'], 2), logpsRejected: r4(s['logps/rejected'], 2), kl: r4(s.kl) }));
  const seconds = (performance.now() - t0) / 1000;
  const c1 = process.cpuUsage(c0);
  const held = tr.evaluate(heldOut);
  const after = behaviourScore(tr.policyModel(), tok, behaviourSet, 6);
  const round = <T extends object>(m: T): T => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, r4(v as number)])) as T;
  console.log(`rpoAlpha ${cfg.rpoAlpha}: held-out acc ${held['rewards/accuracies']}, margin ${held['rewards/margins'].toFixed(3)}, KL ${held.kl.toFixed(3)}, behaviour ${base.score} → ${after.score}, ${seconds.toFixed(0)} s wall, ${((c1.user + c1.system) / 1e6).toFixed(0)} s CPU`);
  return {
    config: { ...cfg, lora: { ...cfg.lora } }, heldOutBefore: round(heldBefore), heldOut: round(held), curve,
    behaviour: { score: r4(after.score), abstainRate: r4(after.abstainRate), answerRate: r4(after.answerRate), samples: after.samples },
    seconds: r4(seconds, 1), cpuSeconds: r4((c1.user + c1.system) / 1e6, 1),
  };
}

const run = await measure({ ...DEFAULT_DPO, steps });
const pure = args.includes('--no-pure') ? null : await measure({ ...DEFAULT_DPO, steps, rpoAlpha: 0 });
const results = {
  generatedBy: 'npm run align:measure',
  model: 'tinylm-chat',
  splits: PAIR_SPLITS,
  longestPairTokens: maxLen,
  reference: { score: r4(base.score), abstainRate: r4(base.abstainRate), answerRate: r4(base.answerRate), n: base.n, samples: base.samples },
  run,
  pure,
  bars: {
    pairAccuracy: run.heldOut['rewards/accuracies'], pairAccuracyOk: run.heldOut['rewards/accuracies'] >= 0.9,
    margin: run.heldOut['rewards/margins'], marginOk: run.heldOut['rewards/margins'] > 0,
    behaviourGainPoints: r4(100 * (run.behaviour.score - base.score), 1), behaviourOk: run.behaviour.score - base.score >= 0.2,
    kl: run.heldOut.kl,
  },
};
writeFileSync('src/curriculum/lessons/2.3/results.json', JSON.stringify(results, null, 1) + '\n');
console.log('bars', results.bars, '→ src/curriculum/lessons/2.3/results.json');
