import { defineLessonPart } from '../../types';

const BT = '`';

export default defineLessonPart({
  topic: '2.1',
  order: 20,
  title: 'The decoder-only transformer, block by block',
  body: String.raw`
A GPT-style (decoder-only) model is a stack of identical **blocks** around a **residual stream**.
The modern "Llama" recipe, which TinyLM follows, is:

${BT.repeat(3)}text
tokens ──► embedding ──► x                       [T × d]
for each of the L layers:
    x = x + Attention(RMSNorm(x))               (mix information across positions)
    x = x + FeedForward(RMSNorm(x))             (transform each position on its own)
logits = RMSNorm(x) · Eᵀ                         [T × V]   (E = embedding matrix when tied)
${BT.repeat(3)}

Shapes, with $T$ tokens, width $d$, $H$ query heads of $d_h = d/H$ dimensions, $H_{kv}$ key/value
heads, feed-forward width $F$ and vocabulary $V$ (the lab prints TinyLM's actual values):

| step | shape | what it does |
|---|---|---|
| embedding | $T \times d$ | look up one row per token id |
| RMSNorm | $T \times d$ | $x / \sqrt{\overline{x^2} + \epsilon} \odot g$ |
| Q; K and V | $T \times H d_h$; $T \times H_{kv} d_h$ | linear maps; K and V have fewer heads (GQA) |
| attention | $T \times H d_h$ | softmax$(QK^\top/\sqrt{d_h} + \text{mask})\,V$ per head |
| output projection, residual add | $T \times d$ | write the result into the stream |
| SwiGLU | $T \times F$ | $\mathrm{silu}(xW_g) \odot xW_u$ |
| down projection, residual add | $T \times d$ | back to $d$, add to the stream |
| logits | $T \times V$ | one score per vocabulary entry at every position |

At training time the model predicts the next token at **every** position at once (that is what the
mask makes possible); at generation time only the last position's logits are used, and the keys and
values of earlier positions are kept in the KV cache.

Step through the block below: the numbers are TinyLM's own, for the token you choose. Watch the
norm of the residual stream grow as each block adds to it, and notice that RMSNorm always brings
the block's *input* back to the same scale.
`,
  labs: ['decoder-block'],
  quiz: [
    {
      question: 'Where does a decoder-only block mix information between positions?',
      choices: ['In RMSNorm', 'In the attention sub-layer', 'In the feed-forward sub-layer', 'In the residual add'],
      answer: 1,
      explanation: 'Attention is the only place positions talk to each other; RMSNorm and the feed-forward act on each position separately.',
    },
    {
      question: 'The feed-forward of a Llama-style model with d = 4096 and F = 14336 holds how many weights per layer?',
      choices: ['2·d·F', '3·d·F', 'd·F', 'd²'],
      answer: 1,
      explanation: 'SwiGLU has three matrices: gate and up (d → F) and down (F → d): 3·d·F ≈ 176 M per layer.',
    },
    {
      question: 'What shape are the logits for a prompt of T tokens?',
      choices: ['[V]', '[T × d]', '[T × V]', '[d × V]'],
      answer: 2,
      explanation: 'One distribution over the vocabulary for every position; during generation only the last row is used.',
    },
  ],
  resources: [
    { title: 'Stanford CS336 — lecture 3: architectures and hyper-parameters', url: 'https://stanford-cs336.github.io/spring2025/' },
    { title: 'MLabonne LLM course — LLM architecture', url: 'https://github.com/mlabonne/llm-course#1-the-llm-architecture' },
    { title: 'Andrej Karpathy — nanoGPT', url: 'https://github.com/karpathy/nanoGPT' },
    { title: 'Touvron et al. — LLaMA (RMSNorm, SwiGLU, RoPE)', url: 'https://arxiv.org/abs/2302.13971' },
  ],
});
