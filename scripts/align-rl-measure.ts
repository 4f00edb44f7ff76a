/**
 * Measures lesson 2.3.b's figures (RLHF by reward model + GRPO next to DPO, over seeds) and merges
 * them into src/curriculum/lessons/2.3/results.json under `rl` and `dpoSeeds` (the DPO keys that
 * `npm run align:measure` writes are kept). The lesson imports them; never retype them.
 *
 *  - rl: per seed, the Bradley–Terry reward model (held-out pair accuracy), then the default GRPO run
 *    (SFT warm-start, then RL on the reward model): reward and program verdict per step, behaviour
 *    score after the warm-start and after RL, KL to the shipped model on held-out pairs, wall/CPU time.
 *  - rlVerifiable: the same GRPO run with the program's verdict (1/0) as the reward instead of the
 *    reward model (RL with a verifiable reward, as DeepSeekMath/R1 do for maths).
 *  - dpoSeeds: the default DPO run per seed (held-out pair accuracy, margin, behaviour, KL, time).
 * Each part stays under ~3 minutes of CPU, so they run separately:
 *   npm run align:rl-measure -- --part rl          (3 seeds of RM + GRPO)
 *   npm run align:rl-measure -- --part verifiable  (3 seeds of GRPO on the program's verdict)
 *   npm run align:rl-measure -- --part dpo         (3 seeds of DPO)
 *   npm run align:rl-measure -- --part probe       (what the seed-1 reward model prefers off its pairs; seconds)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../src/lib/tinylm/checkpoint';
import { DpoTrainer, tokenizePair } from '../src/lib/align/dpo';
import { behaviourScore, makePairs, PAIR_SEEDS } from '../src/lib/align/pairs';
import { DEFAULT_DPO, DEFAULT_GRPO, DEFAULT_REWARD, PAIR_SPLITS } from '../src/lib/align/recipe';
import { evaluateReward, greedyReward, pairFeatures, trainRewardModel } from '../src/lib/align/reward';
import { pairExample } from '../src/lib/align/pairs';
import { promptIds } from '../src/lib/tinylm/corpus';
import { GrpoTrainer, pairsKL, type GrpoStep } from '../src/lib/align/grpo';

const args = process.argv.slice(2);
const part = args[args.indexOf('--part') + 1];
if (!['rl', 'verifiable', 'dpo', 'probe'].includes(part)) throw new Error('usage: --part rl | verifiable | dpo | probe');
const seeds = (args.includes('--seeds') ? args[args.indexOf('--seeds') + 1] : '1,2,3').split(',').map(Number);
const dir = 'public/models/tinylm-chat';
const { model, tokenizer: tok } = loadModel({
  config: readFileSync(join(dir, 'config.json'), 'utf8'),
  safetensors: readFileSync(join(dir, 'model.safetensors')),
  tokenizer: readFileSync(join(dir, 'tokenizer.json'), 'utf8'),
});
const r4 = (x: number, d = 4) => Number(x.toFixed(d));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
/** Mean, sample standard deviation, min and max over seeds. */
const spread = (xs: number[]) => {
  const m = mean(xs);
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean: r4(m), sd: r4(sd), min: r4(Math.min(...xs)), max: r4(Math.max(...xs)) };
};
const timed = async <T>(f: () => Promise<T>) => {
  const t0 = performance.now(), c0 = process.cpuUsage();
  const value = await f();
  const c = process.cpuUsage(c0);
  return { value, seconds: r4((performance.now() - t0) / 1000, 1), cpuSeconds: r4((c.user + c.system) / 1e6, 1) };
};

const trainPairs = makePairs(PAIR_SPLITS.train, PAIR_SEEDS.train);
const train = trainPairs.map((p) => tokenizePair(tok, p));
const heldOut = makePairs(PAIR_SPLITS.heldOut, PAIR_SEEDS.test).map((p) => tokenizePair(tok, p));
const behaviourSet = makePairs(PAIR_SPLITS.behaviour, PAIR_SEEDS.test + 1);
const behaviour = (m: typeof model, samples = 0) => {
  const b = behaviourScore(m, tok, behaviourSet, samples);
  return { score: r4(b.score), abstainRate: r4(b.abstainRate), answerRate: r4(b.answerRate), samples: b.samples };
};
const base = behaviour(model);
const behaviourPrompts = behaviourSet.map((p) => promptIds(tok, pairExample(p, '')));
const resultsPath = 'src/curriculum/lessons/2.3/results.json';
const results = JSON.parse(readFileSync(resultsPath, 'utf8'));

if (part === 'rl' || part === 'verifiable') {
  const reward = part === 'rl' ? 'model' : 'program';
  const runs = [];
  const featTrain = pairFeatures(model, train), featHeld = pairFeatures(model, heldOut);
  for (const seed of seeds) {
    const cfg = { ...DEFAULT_GRPO, reward, seed, lora: { ...DEFAULT_GRPO.lora, seed } } as const;
    const rmRun = await timed(async () => {
      const curve: { step: number; loss: number; accuracy: number }[] = [];
      const rm = await trainRewardModel(model, featTrain, { ...DEFAULT_REWARD, seed }, (s) => s.step % 10 === 0 && curve.push({ step: s.step, loss: r4(s.loss), accuracy: r4(s.accuracy) }));
      return { rm, curve };
    });
    const rmHeld = evaluateReward(rmRun.value.rm, featHeld);
    const shippedReward = r4(greedyReward(rmRun.value.rm, model, behaviourPrompts));
    const tr = new GrpoTrainer(model, tok, reward === 'model' ? rmRun.value.rm : null, trainPairs.map((pair, i) => ({ pair, tokens: train[i] })), cfg);
    const curve: Record<string, number | string>[] = [];
    let afterSft = base;
    const rl = await timed(() => tr.run((s: GrpoStep) => {
      curve.push({ step: s.step, phase: s.phase, loss: r4(s.loss), reward: r4(s.reward), judged: r4(s.judged), kl: r4(s.kl), clipRatio: r4(s.clipRatio), length: r4(s.length, 2) });
      if (s.step === cfg.sftSteps) afterSft = behaviour(tr.policyModel());
    }));
    const policy = tr.policyModel();
    const after = behaviour(policy, 4);
    const rlSteps = curve.filter((c) => c.phase === 'rl');
    const w = 5;
    const first = (k: string) => r4(mean(rlSteps.slice(0, w).map((c) => c[k] as number)));
    const last = (k: string) => r4(mean(rlSteps.slice(-w).map((c) => c[k] as number)));
    const run = {
      seed,
      rewardModel: { heldOut: { accuracy: r4(rmHeld.accuracy), loss: r4(rmHeld.loss), margin: r4(rmHeld.margin), n: rmHeld.n }, curve: rmRun.value.curve, seconds: rmRun.seconds },
      rewardFirst: first('reward'), rewardLast: last('reward'), judgedFirst: first('judged'), judgedLast: last('judged'),
      behaviourAfterSft: { score: afterSft.score, abstainRate: afterSft.abstainRate, answerRate: afterSft.answerRate },
      behaviour: after, klToShipped: r4(pairsKL(policy, model, heldOut)),
      // The reward model's mean reward of greedy replies to the held-out prompts: shipped model → policy.
      shippedReward, rmReward: r4(greedyReward(rmRun.value.rm, policy, behaviourPrompts)),
      // Reward hacking: the reward rose while the program's verdict on the same samples fell.
      hacking: last('reward') > first('reward') && last('judged') < first('judged'),
      curve, seconds: rl.seconds, cpuSeconds: rl.cpuSeconds,
    };
    console.log(`GRPO (${reward} reward) seed ${seed}: RM held-out acc ${run.rewardModel.heldOut.accuracy}; reward ${run.rewardFirst} → ${run.rewardLast}; judged ${run.judgedFirst} → ${run.judgedLast}; behaviour ${base.score} → SFT ${afterSft.score} → RL ${after.score} (abstain ${after.abstainRate}, answer ${after.answerRate}); KL ${run.klToShipped}; ${rl.seconds} s wall, ${rl.cpuSeconds} s CPU`);
    runs.push(run);
  }
  results[part === 'rl' ? 'rl' : 'rlVerifiable'] = {
    generatedBy: `npm run align:rl-measure -- --part ${part}`,
    rewardConfig: DEFAULT_REWARD, config: { ...DEFAULT_GRPO, reward }, reference: { score: base.score, abstainRate: base.abstainRate, answerRate: base.answerRate },
    runs,
    summary: {
      seeds, rmAccuracy: spread(runs.map((r) => r.rewardModel.heldOut.accuracy)),
      rewardFirst: spread(runs.map((r) => r.rewardFirst)), rewardLast: spread(runs.map((r) => r.rewardLast)),
      rewardRose: runs.every((r) => r.rewardLast > r.rewardFirst),
      judgedFirst: spread(runs.map((r) => r.judgedFirst)), judgedLast: spread(runs.map((r) => r.judgedLast)),
      behaviourAfterSft: spread(runs.map((r) => r.behaviourAfterSft.score)), behaviour: spread(runs.map((r) => r.behaviour.score)),
      abstainRate: spread(runs.map((r) => r.behaviour.abstainRate)), answerRate: spread(runs.map((r) => r.behaviour.answerRate)),
      kl: spread(runs.map((r) => r.klToShipped)), seconds: spread(runs.map((r) => r.seconds)), cpuSeconds: spread(runs.map((r) => r.cpuSeconds)),
      shippedReward: spread(runs.map((r) => r.shippedReward)), rmReward: spread(runs.map((r) => r.rmReward)),
      hackingRuns: runs.filter((r) => r.hacking).length,
    },
  };
} else if (part === 'probe') {
  // The blind spot: pairs never put an abstention against a right answer. Score both replies to
  // the answerable held-out prompts (and, as a check, abstention vs the invented reply on the rest).
  const rm = await trainRewardModel(model, pairFeatures(model, train), { ...DEFAULT_REWARD, seed: 1 });
  const ABST = 'The context does not say.';
  const score = (p: (typeof behaviourSet)[number], reply: string) => {
    const t = tokenizePair(tok, { ...p, chosen: reply });
    return t.prompt.concat(t.chosen);
  };
  const ans = behaviourSet.filter((p) => p.answerable), un = behaviourSet.filter((p) => !p.answerable);
  const cmp = (ps: typeof behaviourSet, a: (p: (typeof ps)[number]) => string, b: (p: (typeof ps)[number]) => string) => {
    const ra = rm.score(ps.map((p) => score(p, a(p)))), rb = rm.score(ps.map((p) => score(p, b(p))));
    return ra.reduce((k, x, i) => k + (x > rb[i] ? 1 : 0), 0);
  };
  results.rmProbe = {
    generatedBy: 'npm run align:rl-measure -- --part probe',
    answerable: ans.length, abstentionBeatsRightAnswer: cmp(ans, () => ABST, (p) => p.chosen),
    unanswerable: un.length, abstentionBeatsInvented: cmp(un, () => ABST, (p) => p.rejected),
  };
  console.log('probe', results.rmProbe);
} else {
  const runs = [];
  const featTrain = pairFeatures(model, train);
  for (const seed of seeds) {
    // The same reward model as the RL part's for this seed, to score DPO's greedy replies on the same scale.
    const rm = await trainRewardModel(model, featTrain, { ...DEFAULT_REWARD, seed });
    const cfg = { ...DEFAULT_DPO, seed, lora: { ...DEFAULT_DPO.lora, seed } };
    const tr = new DpoTrainer(model, train, cfg);
    const t = await timed(() => tr.run());
    const held = tr.evaluate(heldOut);
    const after = behaviour(tr.policyModel());
    const run = { seed, pairAccuracy: r4(held['rewards/accuracies']), margin: r4(held['rewards/margins']), kl: r4(held.kl), behaviour: { score: after.score, abstainRate: after.abstainRate, answerRate: after.answerRate }, rmReward: r4(greedyReward(rm, tr.policyModel(), behaviourPrompts)), seconds: t.seconds, cpuSeconds: t.cpuSeconds };
    console.log(`DPO seed ${seed}:`, JSON.stringify(run));
    runs.push(run);
  }
  results.dpoSeeds = {
    generatedBy: 'npm run align:rl-measure -- --part dpo', config: DEFAULT_DPO, runs,
    summary: {
      seeds, pairAccuracy: spread(runs.map((r) => r.pairAccuracy)), margin: spread(runs.map((r) => r.margin)), kl: spread(runs.map((r) => r.kl)),
      behaviour: spread(runs.map((r) => r.behaviour.score)), rmReward: spread(runs.map((r) => r.rmReward)),
      seconds: spread(runs.map((r) => r.seconds)), cpuSeconds: spread(runs.map((r) => r.cpuSeconds)),
    },
  };
}
writeFileSync(resultsPath, JSON.stringify(results, null, 1) + '\n');
console.log(`→ ${resultsPath} (${part})`);
