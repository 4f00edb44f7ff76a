import { defineLessonPart } from '../../types';

export default defineLessonPart({
  topic: '2.1',
  order: 30,
  title: 'Why normalisation, feed-forward and residual connections?',
  body: String.raw`
Each part of the block has a job, and the quickest way to see it is to remove it:

- **Residual connections** ($x \leftarrow x + f(x)$) give every layer a direct path to the output and
  gradients a direct path back: $\partial(x + f(x))/\partial x = I + \partial f/\partial x$, so the gradient never has
  to pass through every layer's transformation to reach the early layers. Without them a deep
  stack trains slowly or not at all, and each layer must re-encode everything it does not change.
- **Normalisation** (RMSNorm here, LayerNorm in GPT-2) keeps the input of every sub-layer at a
  fixed scale, whatever the size of the residual stream. RMSNorm drops LayerNorm's mean
  subtraction and bias: $\mathrm{RMSNorm}(x) = x / \sqrt{\tfrac1d\sum_i x_i^2 + \epsilon} \odot g$. Placing it *before* each
  sub-layer ("pre-norm") is what made very deep transformers train stably.
- **The feed-forward network** holds most of the parameters ($3 d F$ per layer vs $\approx 4d^2$ or less for
  attention) and works on each position independently; it is where much of the model's stored
  knowledge is thought to live.
- **Heads** can be redundant: removing one often changes little, removing a crucial one (e.g. a
  previous-token head in the first layer) can break the model.

The lab switches parts of the trained TinyLM off and measures the effect on the next-token
prediction for your prompt and on the loss over held-out stories the model never saw (lower is
better; $e^{\text{loss}}$ is the perplexity). Then it trains three tiny 4-layer models from scratch
in your browser — with everything, without residual connections, without normalisation — on the
same data, and draws their loss curves.

**Measure on the right text.** The held-out stories come from TinyLM's own story generator, run
from a seed no training split used: the model's distribution, unseen. That matters. A loss is only
informative where the model is competent: on text unlike anything it was trained on — paste some
into the lab's out-of-distribution box — TinyLM scores close to a uniform guess over its 1,024
tokens ($\ln 1024 \approx 6.93$ nats), and on such text switching off a part can even seem to
*lower* the loss, because a broken model that predicts "anything" is not much worse than an intact
one that is confidently wrong. Evaluation sets must match the distribution you care about; large
models have a much wider one, but the same jump appears at its edges.
`,
  labs: ['ablations'],
  after: String.raw`
A trained network is not robust to surgery it never saw: removing a norm changes the scale every
later layer expects, so the damage is larger than "one part missing" suggests. The training
comparison asks the fairer question — can the architecture *learn* without that part?
`,
  quiz: [
    {
      question: 'What is the gradient of y = x + f(x) with respect to x?',
      choices: ['∂f/∂x', 'I + ∂f/∂x', '0', 'I'],
      answer: 1,
      explanation: 'The identity term passes the gradient straight through, however small ∂f/∂x is — which is why residual networks can be deep.',
    },
    {
      question: 'RMSNorm differs from LayerNorm by…',
      choices: ['normalising over the batch', 'not subtracting the mean and having no bias', 'having no learned gain', 'being applied after the residual add'],
      answer: 1,
      explanation: 'RMSNorm divides by the root mean square only; it is cheaper and works as well in practice.',
    },
    {
      question: 'Where are most of the parameters of a Llama-style block?',
      choices: ['In the norms', 'In the attention projections', 'In the feed-forward (SwiGLU) matrices', 'In the residual connections'],
      answer: 2,
      explanation: 'With F ≈ 3.5 d, the three feed-forward matrices (3·d·F ≈ 10.5 d²) outweigh attention (≤ 4 d²); residuals have no parameters.',
    },
  ],
  resources: [
    { title: 'Stanford CS336 — lectures 3 and 4', url: 'https://stanford-cs336.github.io/spring2025/' },
    { title: 'MLabonne LLM course — The LLM Scientist', url: 'https://github.com/mlabonne/llm-course#the-llm-scientist' },
    { title: 'He et al. — Deep residual learning', url: 'https://arxiv.org/abs/1512.03385' },
    { title: 'Zhang & Sennrich — Root mean square layer normalization', url: 'https://arxiv.org/abs/1910.07467' },
    { title: 'Xiong et al. — On layer normalization in the transformer architecture (pre-norm)', url: 'https://arxiv.org/abs/2002.04745' },
  ],
});
