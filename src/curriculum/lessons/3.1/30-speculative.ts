import { defineLessonPart } from '../../types';

/** An inline code span (a backtick cannot be written inside String.raw). */
const code = (s: string) => '`' + s + '`';
import measured from './measured.json';

// Figures below come from `npm run bench inference -- --write` (measured.json); never retype them.
const spec = measured.speculative;
const g4 = spec.find((r) => r.mode === 'greedy' && r.gamma === 4)!;
const s4 = spec.find((r) => r.mode === 'sample')!;
const greedy = spec.filter((r) => r.mode === 'greedy');
const x = (v: number) => `${v.toFixed(2)}×`;
const speeds = greedy.map((r) => `γ = ${r.gamma}: ${x(r.speedup)}`).join(', ');

export default defineLessonPart({
  topic: '3.1',
  order: 30,
  title: 'Speculative decoding',
  body: String.raw`
When decoding is limited by reading the weights, checking several tokens in one forward pass costs
about as much as producing one. Speculative decoding exploits this: a small **draft** model $q$
proposes $\gamma$ tokens one by one, the **target** $p$ scores all of them in one pass (which yields
$\gamma + 1$ next-token distributions), and a prefix of the proposals is kept.

- **Greedy**: keep proposals while each equals the target's argmax; at the first mismatch emit the
  target's argmax. The output is exactly the target's greedy output.
- **Sampling** (Leviathan et al.; Chen et al.): accept draft token $x$ with probability $\min(1, p(x)/q(x))$;
  at the first rejection sample from $\mathrm{norm}(\max(0, p - q))$; if all $\gamma$ are accepted, sample a bonus
  token from the last distribution. The emitted tokens are distributed exactly as sampling from $p$ —
  our unit test draws 20,000 seeded tokens from hand-made $p$ and $q$ and checks it.

With acceptance rate $\alpha = \mathbb{E}\big[\sum_x \min(p(x), q(x))\big]$, a target call yields on average
$$\frac{1 - \alpha^{\gamma+1}}{1 - \alpha}$$
tokens, and the wall-clock speedup is that divided by $\gamma c + b$, where $c$ is the cost of a draft step
relative to a target step and $b$ the cost of the $(\gamma{+}1)$-token verification pass relative to one
step — $b \approx 1$ on a GPU, the paper's assumption. After a rejection both KV caches roll back to the
kept tokens.

The lab runs TinyLM (target) with ${code('tinylm-draft')} (a 140 k-parameter model on the same tokenizer) in a
worker: it colours each token by how it was produced and measures $\alpha$, tokens per call, $c$, $b$ and
the real speedup against plain decoding.
`,
  labs: ['speculative'],
  after: String.raw`
**What we measured** (${measured.date}, ${measured.cpu}; ${g4.prompts} held-out story openings, ${g4.tokens / g4.prompts} tokens each):
the draft agrees well with the base model (α̂ = ${g4.alpha.toFixed(2)} at γ = 4), and tokens per target call follow the
formula (${g4.tokensPerCall.toFixed(2)} measured vs ${g4.theoryTokensPerCall.toFixed(2)} predicted; sampling at T = 1:
${s4.tokensPerCall.toFixed(2)} vs ${s4.theoryTokensPerCall.toFixed(2)}). Greedy outputs were identical to plain decoding
for every γ (${greedy.every((r) => r.identical) ? 'yes' : 'no'}). **But it is slower**: ${speeds}.

The cost ratios say why. The draft is not small enough (c ≈ ${g4.c.toFixed(2)} of a target step),
and — the decisive part — on a CPU running a model this small the verification pass is compute-bound:
checking ${g4.gamma + 1} tokens costs b ≈ ${g4.b.toFixed(1)} decode steps, about as much as decoding them one by one, so even a free draft
could not win much. The formula with the measured c and b predicts ${x(g4.predictedSpeedup)} at γ = 4 (what remains
is our bookkeeping overhead). Were verification as cheap as one step (b = 1, as for a large model on a GPU), the same α
would give ${x(g4.paperSpeedup)} and any draft costing less than c = ${g4.breakEvenCGpu.toFixed(2)} of a target step would
break even. llama.cpp (${code('--model-draft')}), vLLM and TGI ship speculative decoding for this reason; Medusa and EAGLE
replace the draft model by extra heads on the target itself.
`,
  quiz: [
    {
      question: 'α = 0.8 and γ = 4. How many tokens does one target call produce on average?',
      choices: ['0.8', '3.36', '4', '5'],
      answer: 1,
      explanation: '(1 − 0.8⁵)/(1 − 0.8) = (1 − 0.32768)/0.2 = 3.36.',
    },
    {
      question: 'A draft token x has p(x) = 0.2 under the target and q(x) = 0.5 under the draft. With what probability is it kept?',
      choices: ['0.2', '0.4', '0.5', '1'],
      answer: 1,
      explanation: 'min(1, p/q) = 0.2/0.5 = 0.4. A token the target likes at least as much as the draft (p ≥ q) is always kept.',
    },
    {
      question: 'Why did speculative decoding slow TinyLM down on a CPU?',
      choices: ['The draft disagrees with the target most of the time', 'Verifying γ+1 tokens costs about γ+1 decode steps here, and the draft is not much cheaper than the target', 'Sampling mode changes the output distribution', 'The KV cache is disabled'],
      answer: 1,
      explanation: 'Acceptance is high; the win needs verification to be nearly as cheap as one step (memory-bound decoding) and a much cheaper draft.',
    },
  ],
  resources: [
    { title: 'Leviathan et al. — Fast inference from transformers via speculative decoding', url: 'https://arxiv.org/abs/2211.17192' },
    { title: 'Chen et al. — Accelerating LLM decoding with speculative sampling', url: 'https://arxiv.org/abs/2302.01318' },
    { title: 'Cai et al. — Medusa', url: 'https://arxiv.org/abs/2401.10774' },
  ],
});
