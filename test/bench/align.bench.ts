/**
 * Lesson 2.3 side by side: the default DPO run and the default RLHF run (Bradley–Terry reward model,
 * SFT warm-start, GRPO) on the same pairs, one after the other in this process, each with its
 * wall and CPU time, next to the committed figures (results.json, 3 seeds).
 * The lesson's bars (the issue's quality bars):
 *   DPO: held-out pair accuracy ≥ 0.9, mean margin > 0, behaviour ≥ +20 points over the shipped model;
 *   RL: the reward of the samples rises (mean of the last 5 RL steps > first 5). KL is reported.
 * One seed each (seed 1, the lab's default), full default steps: about 1.5–2 minutes of CPU.
 * The 3-seed spread is `npm run align:rl-measure`'s job (too slow for a bench).
 * Run: npm run bench align
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../../src/lib/tinylm/checkpoint';
import { DpoTrainer, tokenizePair } from '../../src/lib/align/dpo';
import { GrpoTrainer, pairsKL } from '../../src/lib/align/grpo';
import { behaviourScore, makePairs, PAIR_SEEDS } from '../../src/lib/align/pairs';
import { DEFAULT_DPO, DEFAULT_GRPO, DEFAULT_REWARD, PAIR_SPLITS } from '../../src/lib/align/recipe';
import { evaluateReward, pairFeatures, trainRewardModel } from '../../src/lib/align/reward';

async function timed<T>(f: () => Promise<T> | T): Promise<{ value: T; wall: number; cpu: number }> {
  const t0 = performance.now(), c0 = process.cpuUsage();
  const value = await f();
  const c = process.cpuUsage(c0);
  return { value, wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const pad = (s: string, n: number) => s.padEnd(n);

export default async function main(): Promise<void> {
  const dir = 'public/models/tinylm-chat';
  const { model, tokenizer: tok } = loadModel({
    config: readFileSync(join(dir, 'config.json'), 'utf8'),
    safetensors: readFileSync(join(dir, 'model.safetensors')),
    tokenizer: readFileSync(join(dir, 'tokenizer.json'), 'utf8'),
  });
  const committed = JSON.parse(readFileSync('src/curriculum/lessons/2.3/results.json', 'utf8'));
  const trainPairs = makePairs(PAIR_SPLITS.train, PAIR_SEEDS.train);
  const train = trainPairs.map((p) => tokenizePair(tok, p));
  const heldOut = makePairs(PAIR_SPLITS.heldOut, PAIR_SEEDS.test).map((p) => tokenizePair(tok, p));
  const behaviourSet = makePairs(PAIR_SPLITS.behaviour, PAIR_SEEDS.test + 1);
  const base = behaviourScore(model, tok, behaviourSet, 0);

  // DPO
  const dpo = new DpoTrainer(model, train, DEFAULT_DPO);
  const dpoRun = await timed(() => dpo.run());
  const held = dpo.evaluate(heldOut);
  const dpoBehaviour = behaviourScore(dpo.policyModel(), tok, behaviourSet, 0);

  // RLHF: reward model, then SFT warm-start + GRPO
  const rm = await timed(async () => {
    const rmodel = await trainRewardModel(model, pairFeatures(model, train), DEFAULT_REWARD);
    return { rmodel, eval: evaluateReward(rmodel, pairFeatures(model, heldOut)) };
  });
  const grpo = new GrpoTrainer(model, tok, rm.value.rmodel, trainPairs.map((pair, i) => ({ pair, tokens: train[i] })), DEFAULT_GRPO);
  const rewards: number[] = [], judged: number[] = [];
  const rlRun = await timed(() => grpo.run((s) => s.phase === 'rl' && (rewards.push(s.reward), judged.push(s.judged))));
  const policy = grpo.policyModel();
  const rlBehaviour = behaviourScore(policy, tok, behaviourSet, 0);
  const rlKl = pairsKL(policy, model, heldOut);

  const pct = (x: number) => `${(100 * x).toFixed(0)} %`;
  console.log(`shipped chat model: behaviour ${pct(base.score)} on ${base.n} held-out prompts (abstain ${pct(base.abstainRate)}, answer ${pct(base.answerRate)})`);
  console.log(`\n${pad('', 36)}${pad('DPO', 22)}RM + GRPO`);
  console.log(`${pad('training', 36)}${pad(`${DEFAULT_DPO.steps} steps × ${DEFAULT_DPO.batchSize} pairs`, 22)}RM ${DEFAULT_REWARD.steps} steps; SFT ${DEFAULT_GRPO.sftSteps} + GRPO ${DEFAULT_GRPO.steps} × ${DEFAULT_GRPO.promptsPerStep}×${DEFAULT_GRPO.groupSize}`);
  console.log(`${pad('held-out pair accuracy', 36)}${pad(held['rewards/accuracies'].toFixed(3) + ' (policy)', 22)}${rm.value.eval.accuracy.toFixed(3)} (reward model)`);
  console.log(`${pad('held-out mean margin', 36)}${pad(held['rewards/margins'].toFixed(3), 22)}${rm.value.eval.margin.toFixed(3)} (r_w − r_l)`);
  console.log(`${pad('behaviour (greedy, held-out)', 36)}${pad(`${pct(base.score)} → ${pct(dpoBehaviour.score)}`, 22)}${pct(base.score)} → ${pct(rlBehaviour.score)}`);
  console.log(`${pad('KL to shipped, per reply token', 36)}${pad(held.kl.toFixed(3), 22)}${rlKl.toFixed(3)}`);
  console.log(`${pad('RL reward, first 5 → last 5 steps', 36)}${pad('—', 22)}${mean(rewards.slice(0, 5)).toFixed(2)} → ${mean(rewards.slice(-5)).toFixed(2)}`);
  console.log(`${pad('samples judged right, first → last', 36)}${pad('—', 22)}${pct(mean(judged.slice(0, 5)))} → ${pct(mean(judged.slice(-5)))}`);
  console.log(`${pad('wall / CPU seconds (training)', 36)}${pad(`${dpoRun.wall.toFixed(1)} / ${dpoRun.cpu.toFixed(1)}`, 22)}RM ${rm.wall.toFixed(1)} / ${rm.cpu.toFixed(1)} + RL ${rlRun.wall.toFixed(1)} / ${rlRun.cpu.toFixed(1)}`);
  const c = committed.rl?.summary, d = committed.dpoSeeds?.summary;
  if (c && d) console.log(`committed (3 seeds, mean ± sd): DPO behaviour ${pct(d.behaviour.mean)} ± ${pct(d.behaviour.sd)}, KL ${d.kl.mean.toFixed(2)}; RM + GRPO behaviour ${pct(c.behaviour.mean)} ± ${pct(c.behaviour.sd)}, reward ${c.rewardFirst.mean.toFixed(2)} → ${c.rewardLast.mean.toFixed(2)}, KL ${c.kl.mean.toFixed(2)}`);

  const bars: [string, boolean][] = [
    [`DPO held-out pair accuracy ≥ 0.9 (${held['rewards/accuracies'].toFixed(3)})`, held['rewards/accuracies'] >= 0.9],
    [`DPO mean margin > 0 (${held['rewards/margins'].toFixed(3)})`, held['rewards/margins'] > 0],
    [`DPO behaviour ≥ +20 points (${(100 * (dpoBehaviour.score - base.score)).toFixed(0)})`, dpoBehaviour.score - base.score >= 0.2],
    [`RL reward rises (${mean(rewards.slice(0, 5)).toFixed(2)} → ${mean(rewards.slice(-5)).toFixed(2)})`, mean(rewards.slice(-5)) > mean(rewards.slice(0, 5))],
  ];
  console.log('\nbars:');
  for (const [name, ok] of bars) console.log(`  ${ok ? '✓' : '✗'} ${name}`);
  const missed = bars.filter(([, ok]) => !ok);
  if (missed.length) throw new Error(`align bench: ${missed.length} bar(s) missed`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
