import { defineLessonPart } from '../../types';
import results from './results.json';

// Every figure below comes from `npm run align:measure` (results.json); none is typed by hand.
const pct = (x: number) => `${Math.round(100 * x)} %`;
const ref = results.reference;
const run = results.run;
// null when the script ran with --no-pure.
const pure = results.pure as typeof results.run | null;
const f = (x: number, d = 2) => x.toFixed(d);
const code = (t: string) => '`' + t + '`';
const firstAbstain = ref.samples.find((s) => !s.answerable);

export default defineLessonPart({
  topic: '2.3',
  order: 10,
  title: 'Why align, and DPO',
  body: String.raw`
Supervised fine-tuning teaches a model *what* a good reply looks like by imitation. It cannot teach the
model what to **avoid**: every training reply is a positive example, and the model learns nothing about
the replies it should not give. Alignment adds that signal: **preferences** between two replies to the
same prompt. In practice it targets helpfulness ("follow the instruction"), honesty ("don't make things
up") and harmlessness ("refuse what should be refused").

**A failure a program can judge.** The built-in chat model was trained to answer questions by copying a
span from a short context. Its system prompt here adds one rule:

> If the context does not say, reply: The context does not say.

Half of the held-out prompts ask about a fact the context does not contain. The shipped model handles
**${pct(ref.score)}** of ${ref.n} held-out prompts right: it answers ${pct(ref.answerRate)} of the answerable ones, but abstains on
only **${pct(ref.abstainRate)}** of the unanswerable ones — it invents instead${firstAbstain ? ` (asked a question its context cannot answer, it replied ${code(String(firstAbstain.got))})` : ''}.
It never saw a reply like "The context does not say." in training: under the model, that reply has
a log-probability tens of nats below the spans it copies (mean over held-out chosen replies, half of them abstentions: ${f(run.heldOutBefore["logps/chosen"], 1)} nats). This is the small-scale version of *hallucination*, and a program can
check every reply, so the score below is measured, not hand-labelled.

**Preference pairs.** Each pair is $(x, y_w, y_l)$: a prompt, a *chosen* reply and a *rejected* one.
Ours are generated from the lesson's own profile generator (MIT): when the context lacks the answer,
chosen = "The context does not say." and rejected = an invented value or a wrong span from the context;
when it has the answer, chosen = the span and rejected = a wrong span from the same context. (Why
not an abstention as the rejected reply there? Its reference log-probability is tens of nats below anything the model writes, so
any general rise of abstentions would count as a huge implicit reward for the *rejected* reply and
swamp those pairs.) The behaviour score counts both halves, so "always abstain" scores only 50 %. Real datasets (Anthropic HH, UltraFeedback, Intel/orca_dpo_pairs)
collect the two replies from models and the preference from people or a stronger model.

**The classic route (RLHF, InstructGPT).** Fit a **reward model** $r_\phi(x, y)$ to the pairs with the
Bradley–Terry loss $-\log\sigma(r_\phi(x,y_w) - r_\phi(x,y_l))$, then maximise the reward with reinforcement
learning (PPO) while a KL penalty keeps the policy near the SFT model:
$$\max_\pi\; \mathbb E_{y\sim\pi}[r_\phi(x,y)] - \beta\,\mathrm{KL}(\pi\,\|\,\pi_\text{ref}).$$
That needs sampling during training, a value model, and four models in memory.

**DPO** (Rafailov et al., 2023) notices that the optimum of that objective is
$\pi^*(y|x) \propto \pi_\text{ref}(y|x)\,e^{r(x,y)/\beta}$, so the reward can be written through the policy itself,
$r(x,y) = \beta\log\frac{\pi(y|x)}{\pi_\text{ref}(y|x)} + \text{const}$. Putting that into the Bradley–Terry loss gives a
plain supervised loss on the pairs — no sampling, no reward model:
$$\mathcal L_\text{DPO} = -\log\sigma\Big(\beta\Big[\log\tfrac{\pi(y_w|x)}{\pi_\text{ref}(y_w|x)} - \log\tfrac{\pi(y_l|x)}{\pi_\text{ref}(y_l|x)}\Big]\Big),$$
with $\log\pi(y|x)$ summed over the reply's tokens (the prompt's tokens cancel). At step 0 the policy *is*
the reference, both log-ratios are 0 and the loss is $\log 2 = 0.693$. β (0.1 by default in TRL) sets how
far the policy may move: small β, weak pull back to the reference.

The lab logs what TRL's ${code("DPOTrainer")} logs: ${code("rewards/chosen")} and ${code("rewards/rejected")} (the implicit rewards
β·log-ratio, averaged), ${code("rewards/accuracies")} (how often chosen beats rejected, strictly — so 0 at step 0),
${code("rewards/margins")}, ${code("logps/chosen")} and ${code("logps/rejected")}; and the per-token KL from the reference, computed
exactly over the vocabulary at the reply positions. Policy = chat model + a LoRA adapter (lesson 2.2); the
reference is the same model with the adapter switched off, so no second copy is held.
`,
  labs: ['align-dpo'],
  after: String.raw`
**Measured** (${run.config.steps} steps of ${run.config.batchSize} pairs from ${results.splits.train} generated pairs; β ${run.config.beta}; LoRA r ${run.config.lora.r} on every linear layer; learning rate ${run.config.maxLr}; RPO α ${run.config.rpoAlpha}):

| | reference (shipped) | after DPO | pure DPO (α 0) |
|---|---|---|---|
| behaviour score, ${ref.n} held-out prompts | ${pct(ref.score)} | **${pct(run.behaviour.score)}** | ${pure ? pct(pure.behaviour.score) : '—'} |
| abstains when it should | ${pct(ref.abstainRate)} | ${pct(run.behaviour.abstainRate)} | ${pure ? pct(pure.behaviour.abstainRate) : '—'} |
| answers right when it can | ${pct(ref.answerRate)} | ${pct(run.behaviour.answerRate)} | ${pure ? pct(pure.behaviour.answerRate) : '—'} |
| held-out pairs: rewards/accuracies | ${f(run.heldOutBefore['rewards/accuracies'])} | ${f(run.heldOut['rewards/accuracies'])} | ${pure ? f(pure.heldOut['rewards/accuracies']) : '—'} |
| held-out pairs: rewards/margins | ${f(run.heldOutBefore['rewards/margins'], 3)} | ${f(run.heldOut['rewards/margins'], 3)} | ${pure ? f(pure.heldOut['rewards/margins'], 3) : '—'} |
| KL(π‖π_ref) per reply token | 0 | ${f(run.heldOut.kl, 3)} | ${pure ? f(pure.heldOut.kl, 3) : '—'} |
| CPU time of the run (Node, one core) | | ${run.cpuSeconds} s | ${pure ? `${pure.cpuSeconds} s` : '—'} |

The lesson's bars: held-out pair accuracy ≥ 0.9 — ${results.bars.pairAccuracyOk ? 'met' : 'missed'} (${f(results.bars.pairAccuracy)}); mean margin > 0 — ${results.bars.marginOk ? 'met' : 'missed'};
behaviour score up by at least 20 points — ${results.bars.behaviourOk ? 'met' : 'missed'} (${results.bars.behaviourGainPoints} points).

**Why the NLL term.** Pure DPO only asks that the chosen reply *gain on* the rejected one, and it wins
the pairs (held-out accuracy ${pure ? f(pure.heldOut['rewards/accuracies']) : '—'}) — yet the model got *worse*. On held-out pairs
${code("logps/rejected")} fell from ${f(run.heldOutBefore['logps/rejected'], 1)} to ${pure ? f(pure.heldOut['logps/rejected'], 1) : '—'} nats while ${code("logps/chosen")} rose only from ${f(run.heldOutBefore['logps/chosen'], 1)} to
${pure ? f(pure.heldOut['logps/chosen'], 1) : '—'}: the cheapest way to widen a margin is to push the rejected replies down, and the probability
that leaves them goes to neither reply — greedy decoding now writes fragments${pure ? ` (e.g. ${code(String(pure.behaviour.samples[2]?.got ?? ''))})` : ''}.
The chosen abstention started far outside what the model ever writes. The standard
pipeline avoids this by SFT on the chosen replies *before* DPO (Zephyr, Tulu); TRL's ${code("rpo_alpha")}
(Pang et al., 2024) adds that NLL term to the DPO loss instead, which is what the default here does
(RPO α ${run.config.rpoAlpha}; in our trials α 0.5 and 1 taught the abstention too but held-out pair accuracy fell below 0.9).
Set RPO α to 0 in the lab to watch the failure.

**What is simplified here, compared with alignment at scale.** One narrow, programmatically judged
behaviour instead of broad human preferences; pairs generated from templates, not sampled from the model
(off-policy); a 0.4 M-parameter model, a few hundred pairs and one minute of CPU; greedy decoding for the
score. Real runs use tens of thousands of pairs judged by people or a strong model, and watch for the
policy gaming the judge. The reward-model + RL route on the same pairs (task 2.3.b) is a later part of
this lesson, with its own lab.
`,
  quiz: [
    {
      question: 'Policy and reference are the same model at step 0. What are the DPO loss and rewards/accuracies?',
      choices: ['0 and 1', 'ln 2 ≈ 0.693 and 0 (chosen must beat rejected strictly)', 'ln 2 and 0.5', 'Undefined until the first step'],
      answer: 1,
      explanation: 'Both log-ratios are 0, so the loss is −log σ(0) = ln 2; no pair has chosen > rejected strictly, so accuracy is 0.',
    },
    {
      question: 'log π(chosen) = −5 (reference −6), log π(rejected) = −7 (reference −6), β = 0.1. What is the loss?',
      choices: ['−log σ(0.2) ≈ 0.598', '−log σ(2) ≈ 0.127', 'ln 2', '−log σ(−0.2) ≈ 0.798'],
      answer: 0,
      explanation: 'β[(−5+6) − (−7+6)] = 0.1·2 = 0.2; −log σ(0.2) = 0.598.',
    },
    {
      question: 'What does DPO not need that PPO-based RLHF needs?',
      choices: ['A reference model', 'Preference pairs', 'A separate reward model and sampling from the policy during training', 'A β that limits drift'],
      answer: 2,
      explanation: 'DPO expresses the reward through the policy/reference log-ratio and trains on fixed pairs; the reference and β remain.',
    },
    {
      question: 'rewards/margins rises but the model still does not produce the chosen reply. What is a likely cause?',
      choices: ['β too large', 'DPO widened the margin mostly by lowering the rejected (and chosen) log-probs: the chosen reply was never likely', 'The tokenizer', 'Too few steps of warm-up'],
      answer: 1,
      explanation: 'DPO is relative. With chosen replies far from the model’s distribution, SFT on them first (or an NLL term such as RPO) is the usual fix.',
    },
  ],
  resources: [
    { title: 'Rafailov et al. — Direct Preference Optimization', url: 'https://arxiv.org/abs/2305.18290' },
    { title: 'Ouyang et al. — Training language models to follow instructions with human feedback (InstructGPT)', url: 'https://arxiv.org/abs/2203.02155' },
    { title: 'Hugging Face TRL — DPO Trainer', url: 'https://huggingface.co/docs/trl/dpo_trainer' },
    { title: 'Pang et al. — Iterative Reasoning Preference Optimization (RPO’s NLL term)', url: 'https://arxiv.org/abs/2404.19733' },
    { title: 'Maxime Labonne — Fine-tune Mistral-7b with DPO', url: 'https://mlabonne.github.io/blog/posts/Fine_tune_Mistral_7b_with_DPO.html' },
  ],
});
