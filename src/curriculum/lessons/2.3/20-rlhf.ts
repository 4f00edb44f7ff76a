import { defineLessonPart } from '../../types';
import results from './results.json';

// Every figure below comes from `npm run align:rl-measure` (results.json); none is typed by hand.
const pct = (x: number) => `${Math.round(100 * x)} %`;
const f = (x: number, d = 2) => x.toFixed(d);
const code = (t: string) => '`' + t + '`';
type Spread = { mean: number; sd: number };
const pm = (s: Spread, fmt: (x: number) => string = (x) => f(x)) => `${fmt(s.mean)} ± ${fmt(s.sd)}`;
const pmPct = (s: Spread) => `${Math.round(100 * s.mean)} ± ${Math.round(100 * s.sd)} %`;
const rl = results.rl.summary;
const rv = results.rlVerifiable.summary;
const dpo = results.dpoSeeds.summary;
const ref = results.rl.reference;
const probe = results.rmProbe;
const n = rl.seeds.length;
// The measured RM + GRPO run whose greedy behaviour fell the most, and one of its replies.
const worst = [...results.rl.runs].sort((a, b) => a.behaviour.score - b.behaviour.score)[0];
const worstReply = worst.behaviour.samples.find((s) => !s.ok)?.got ?? '';
// The settings the measured runs used (the lab's defaults).
const g = results.rl.config;

export default defineLessonPart({
  topic: '2.3',
  order: 20,
  title: 'The classic route: a reward model, then RL (and why DPO caught on)',
  body: String.raw`
Before DPO, preference alignment meant **RLHF** as InstructGPT (Ouyang et al., 2022) ran it, in three stages:

1. **SFT**: fine-tune on demonstrations of good replies.
2. **Reward model**: train a model that reads a prompt and a reply and outputs one number, so that
   preferred replies score higher.
3. **RL**: sample replies from the policy, score them with the reward model, and push the policy
   towards the higher-scoring ones, while a KL penalty keeps it near the SFT model:
   $\max_\pi \mathbb E_{y\sim\pi}[r(x,y)] - \beta\,\mathrm{KL}(\pi\,\|\,\pi_\text{ref})$.

**The Bradley–Terry reward model.** A pair says only which reply is better, not by how much. Bradley–Terry
turns scores into a probability of that preference, $P(y_w \succ y_l) = \sigma(r(x,y_w) - r(x,y_l))$, and the
reward model is fitted by maximum likelihood: loss $-\log\sigma(r_w - r_l)$. Only differences matter, so
adding a constant to every reward changes nothing (our head has no bias for that reason). Ours reads the
chat model's last hidden state at the reply's final token and multiplies it by a learned vector — the
same shape as Hugging Face's ${code("AutoModelForSequenceClassification")} head that TRL's ${code("RewardTrainer")} trains. We
keep the trunk **frozen**: the hidden states are computed once, training the head is a logistic regression that
takes a fraction of a second, and a few hundred pairs would not train a whole trunk without memorising it.
The price: a judge that can only see what the chat model's own features already encode.

**PPO, GRPO.** RLHF used PPO (Schulman et al., 2017). It scores a sampled reply token by token with an
*advantage* — how much better than expected this was — estimated by a second network, the **value model**
(critic), trained alongside the policy. The update multiplies each token's advantage by the probability ratio
$\rho = \pi(y_t)/\pi_\text{old}(y_t)$ and clips $\rho$ to $[1-\varepsilon, 1+\varepsilon]$ where moving further would
help, so a single batch cannot drag the policy far. That is four models in memory: policy, reference, reward
and value.

GRPO (Shao et al., 2024, DeepSeekMath) drops the critic. For each prompt it samples a **group** of $G$ replies
and uses the group as its own baseline: $A_i = (r_i - \text{mean}(r)) / (\text{std}(r) + 10^{-4})$, the same for every
token of reply $i$. The clipped ratio stays; the KL to the reference moves from the reward into the loss,
estimated per sampled token as $k_3 = e^{\log\pi_\text{ref} - \log\pi} - (\log\pi_\text{ref} - \log\pi) - 1$ (never
negative, unbiased). **We use GRPO** because a critic for a model this small would be as large as the policy
and would learn from a handful of samples per step — its estimates would be mostly noise — while $G$ samples
of one prompt give a baseline for free. If every reply in a group gets the same reward, all its advantages are
0 and the group teaches nothing but the KL term.

The lab follows TRL's ${code("GRPOTrainer")}: $G$ = ${g.groupSize} replies for each of ${g.promptsPerStep} prompts a step (at most ${g.maxNewTokens} tokens,
temperature ${g.temperature}), $\varepsilon$ = ${g.epsilon}, β = ${g.beta} on the $k_3$ estimate (the paper used 0.04; TRL now defaults to 0,
no reference at all), and ${code("loss_type")} "grpo" (each reply's token
mean, then the mean over replies, as in the paper; TRL's default is now "dapo", one mean over all tokens — the
unit tests check both against PyTorch). With TRL's default ${code("num_iterations")} = 1 each batch is used for one
update, so $\rho = 1$ and the clip never acts; set μ to 2 in the lab to see clipped tokens.

**Why a warm-start.** RL can only reinforce what the policy samples. The shipped model gives
"The context does not say." a log-probability tens of nats below the spans it copies, so in thousands of samples it
would never write it. Like InstructGPT, the run starts with ${g.sftSteps} supervised steps on the chosen replies; that
model becomes the frozen reference $\pi_\text{ref}$ of the RL stage.
`,
  labs: ['align-rl'],
  after: String.raw`
**Measured** over ${n} seeds (${rl.seeds.join(', ')}), mean ± standard deviation; reward model ${results.rl.rewardConfig.steps} steps on the DPO lesson's pairs,
then ${g.sftSteps} warm-start and ${g.steps} GRPO steps; DPO with its lesson's default settings; Node on the CPU:

| | RM + GRPO | GRPO on the program's verdict | DPO |
|---|---|---|---|
| reward model, held-out pair accuracy | ${pm(rl.rmAccuracy)} | — | — |
| reward of the samples, first 5 → last 5 RL steps | ${pm(rl.rewardFirst)} → **${pm(rl.rewardLast)}** | ${pm(rv.rewardFirst)} → ${pm(rv.rewardLast)} | — |
| samples the program judges right, first 5 → last 5 | ${pmPct(rl.judgedFirst)} → **${pmPct(rl.judgedLast)}** | ${pmPct(rv.judgedFirst)} → ${pmPct(rv.judgedLast)} | — |
| behaviour score (greedy, held-out; shipped ${pct(ref.score)}) | after warm-start ${pmPct(rl.behaviourAfterSft)} → after RL **${pmPct(rl.behaviour)}** | ${pmPct(rv.behaviourAfterSft)} → **${pmPct(rv.behaviour)}** | **${pmPct(dpo.behaviour)}** |
| reward model's score of the greedy replies (shipped ${pm(rl.shippedReward)}) | ${pm(rl.rmReward)} | ${pm(rv.rmReward)} | ${pm(dpo.rmReward)} |
| KL to the shipped model per reply token | ${pm(rl.kl)} | ${pm(rv.kl)} | ${pm(dpo.kl)} |
| CPU seconds of the training loop | ${pm(rl.cpuSeconds, (x) => f(x, 0))} | ${pm(rv.cpuSeconds, (x) => f(x, 0))} | ${pm(dpo.cpuSeconds, (x) => f(x, 0))} |

**Reward hacking, measured.** The reward model wins ${pct(rl.rmAccuracy.mean)} of held-out *pairs*, and the RL run does what it
is told: the reward of its samples rises ${rl.rewardRose ? `in every seed` : `in some seeds`}. But the program's verdict on those same
samples falls: in ${rl.hackingRuns} of ${n} runs the reward went up while the share of right replies went down. The worst run's
greedy behaviour ended at ${pct(worst.behaviour.score)}, writing replies such as ${code(String(worstReply))}. The reward model was fitted on
two kinds of replies — abstentions and spans — and the policy found replies of a third kind that it over-rates.
It never saw an abstention to an *answerable* question, so it cannot penalise one: on ${probe.abstentionBeatsRightAnswer} of
${probe.answerable} answerable held-out questions it scores "The context does not say." above the right answer. Nor did it
ever see fragments that merely *end like* an abstention. This is Goodhart's law in miniature, and the same curve Gao et al. (ICML 2023)
measure at scale: the proxy reward climbs while the true one peaks and falls.

Swap the reward for the **program's verdict** (1 if the reply is right, else 0) and nothing is left to hack:
that is RL with a *verifiable* reward, as DeepSeek-R1 uses for maths and code (DeepSeekMath, where GRPO was
introduced, still trained against a reward model). Its reward is
noisier (a group whose replies are all right or all wrong teaches nothing) and it needs a judge that can be written
as a program, which most preferences cannot.

**DPO vs RLHF here.** DPO trained on the pairs directly, with no sampling and no judge to exploit, and landed
at ${pmPct(dpo.behaviour)} across seeds; its held-out pair accuracy was ${pm(dpo.pairAccuracy)}. That stability, and needing
two models instead of four, is why open models moved to DPO-style training. What RL has that DPO lacks is
**exploration**: it learns from the policy's own replies, so with a trustworthy reward it can go beyond the pairs.

**What is simplified relative to RLHF at scale.** The reward model's trunk is frozen and tiny, and it is
trained once on the same template pairs; InstructGPT's was a 6 B model trained on people's rankings of *model
samples* for tens of thousands of prompts, and later work kept refreshing the reward model with the current
policy's samples (Bai et al., 2022). We use GRPO, not PPO with a critic and GAE;
replies are at most ${g.maxNewTokens} tokens; one LoRA adapter, ${g.steps} RL steps of ${g.promptsPerStep * g.groupSize} samples, no reward normalisation,
no ensemble of reward models, no held-out human evaluation. The behaviour is one narrow property a program can check, which
is what lets us *see* the hacking — at scale it is found by people reading samples.
`,
  quiz: [
    {
      question: 'A reward model gives the chosen reply 2 and the rejected one 0. What are P(chosen ≻ rejected) and the Bradley–Terry loss?',
      choices: ['0.5 and ln 2', 'σ(2) ≈ 0.88 and −log σ(2) ≈ 0.127', '1 and 0', 'σ(−2) ≈ 0.12 and ≈ 2.13'],
      answer: 1,
      explanation: 'Only the difference matters: σ(2 − 0) ≈ 0.881, and −log 0.881 ≈ 0.127. Adding 10 to both rewards changes nothing.',
    },
    {
      question: 'All 8 replies in a GRPO group get the same reward. What do they contribute to the update?',
      choices: ['A large positive push', 'Nothing from the reward: every advantage is 0 (only the KL term acts)', 'A division by zero', 'A negative push'],
      answer: 1,
      explanation: 'r − mean = 0 for each reply, and the std + 10⁻⁴ in the denominator keeps it finite: A = 0, no policy-gradient signal from that group.',
    },
    {
      question: 'A token has ratio π/π_old = 1.5 and advantage +1, with ε = 0.2. What does the clipped objective do?',
      choices: ['Uses 1.5 and pushes further', 'Uses 1.2: the term is constant there, so the gradient is 0 for that token', 'Clips the advantage to 0.2', 'Rejects the whole batch'],
      answer: 1,
      explanation: 'min(1.5·1, clip(1.5, 0.8, 1.2)·1) = 1.2, a constant: the policy already moved far enough in the helpful direction on that token.',
    },
    {
      question: 'During RL the reward model’s score of the samples rises steadily, but a program that checks the replies finds fewer right ones. What is happening?',
      choices: ['The learning rate is too low', 'Reward hacking: the policy found replies the reward model over-rates', 'The KL estimator is biased', 'The reward model is overfitting its training pairs'],
      answer: 1,
      explanation: 'The proxy is optimised past the point where it tracks the goal. Remedies: a larger β, better reward-model data (including the policy’s own samples), ensembles, or a verifiable reward.',
    },
    {
      question: 'Why does the RL run start with a few supervised steps on the chosen replies?',
      choices: ['To compute the reward model', 'RL only reinforces what the policy samples, and the shipped model never samples the abstention', 'GRPO requires it mathematically', 'To make the KL zero'],
      answer: 1,
      explanation: 'With the abstention tens of nats below the replies it writes, no sample would ever contain it; SFT first (InstructGPT’s stage 1) makes it reachable.',
    },
  ],
  resources: [
    { title: 'Ouyang et al. — Training language models to follow instructions with human feedback (InstructGPT)', url: 'https://arxiv.org/abs/2203.02155' },
    { title: 'Shao et al. — DeepSeekMath (introduces GRPO)', url: 'https://arxiv.org/abs/2402.03300' },
    { title: 'Rafailov et al. — Direct Preference Optimization', url: 'https://arxiv.org/abs/2305.18290' },
    { title: 'Schulman et al. — Proximal Policy Optimization Algorithms', url: 'https://arxiv.org/abs/1707.06347' },
    { title: 'Gao et al. — Scaling Laws for Reward Model Overoptimization', url: 'https://arxiv.org/abs/2210.10760' },
    { title: 'Hugging Face TRL — GRPO Trainer', url: 'https://huggingface.co/docs/trl/grpo_trainer' },
    { title: 'Hugging Face TRL — Reward Trainer', url: 'https://huggingface.co/docs/trl/reward_trainer' },
    { title: 'John Schulman — Approximating KL divergence (the k3 estimator)', url: 'http://joschu.net/blog/kl-approx.html' },
    { title: 'Bai et al. — Training a Helpful and Harmless Assistant with RLHF (iterated online RLHF)', url: 'https://arxiv.org/abs/2204.05862' },
    { title: 'DeepSeek-AI — DeepSeek-R1 (RL with rule-based rewards)', url: 'https://arxiv.org/abs/2501.12948' },
  ],
});
