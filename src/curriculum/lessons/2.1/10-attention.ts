import { defineLessonPart } from '../../types';

export default defineLessonPart({
  topic: '2.1',
  order: 10,
  title: 'Self-attention and multi-head attention',
  body: String.raw`
Inside a transformer every token is a vector. **Self-attention** is how a token gathers
information from the tokens before it. Each token's vector $x_t$ is mapped to three vectors by
learned matrices: a **query** $q_t = W_q x_t$ (what it is looking for), a **key** $k_t = W_k x_t$ (what
it offers to be found by) and a **value** $v_t = W_v x_t$ (what it passes on). Token $t$ scores every
earlier token $j$ by the dot product of its query with their key, scaled by the head size $d$:

$$
s_{tj} = \frac{q_t \cdot k_j}{\sqrt{d}}, \qquad
a_{tj} = \frac{e^{s_{tj}}}{\sum_{j' \le t} e^{s_{tj'}}}\ \ (j \le t), \qquad
\text{out}_t = \sum_{j \le t} a_{tj}\, v_j .
$$

The $\sqrt d$ keeps dot products of random $d$-dimensional vectors around unit size so the softmax does
not saturate. The **causal mask** ($j \le t$, i.e. $s_{tj} = -\infty$ for $j > t$) is what makes the
model a *decoder*: a token can never peek at the future it is trained to predict. Positions enter
through **RoPE**: $q$ and $k$ are rotated by an angle proportional to their position, so $q_t\cdot k_j$
depends on the distance $t - j$.

**Multi-head attention** runs $h$ of these in parallel on smaller vectors ($d = d_\text{model}/h$), each
with its own $W_q, W_k, W_v$, and concatenates the results before an output projection $W_o$. Heads
specialise: some look at the previous token, some at the first token (a "sink" where attention goes
when nothing else is relevant), some at earlier mentions of the same name. **Grouped-query
attention** lets several query heads share one key/value head to shrink the KV cache.

The lab runs TinyLM, the small model built into this app, on your text and shows every head's
attention probabilities. Hover a token to see where it looks, and read the table below the maps:
the exact numbers $q\cdot k$, $\div\sqrt d$, the mask and the softmax for that token, taken from the model.
`,
  labs: ['attention'],
  after: String.raw`
Try a text that repeats a name ("Mia … Mia saw … Mia"): look for a head in which the second
"Mia" attends to the first one or to the word after it — the beginning of an *induction head*,
the mechanism that lets models copy patterns from their context.
`,
  quiz: [
    {
      question: 'Why are attention scores divided by √d?',
      choices: ['To make them positive', 'To keep their scale independent of the head size so the softmax does not saturate', 'To apply the causal mask', 'To normalise the values'],
      answer: 1,
      explanation: 'A dot product of two random d-dimensional vectors has variance ∝ d; dividing by √d keeps it near 1 so softmax gradients stay useful.',
    },
    {
      question: 'In a decoder-only model, token 5 can attend to…',
      choices: ['every token', 'tokens 0–5', 'tokens 5 and later', 'only token 4'],
      answer: 1,
      explanation: 'The causal mask removes every key after the query position.',
    },
    {
      question: 'Each row of an attention map (one query) sums to…',
      choices: ['0', '1', 'the number of tokens', 'd'],
      answer: 1,
      explanation: 'It is a softmax over the visible keys: a probability distribution.',
    },
    {
      question: 'What is the main benefit of multiple heads over one big head?',
      choices: ['Fewer parameters', 'Different heads can attend to different positions for different reasons at the same time', 'They remove the need for the mask', 'They make the KV cache smaller'],
      answer: 1,
      explanation: 'One softmax produces one weighted average; several heads let a token gather several kinds of information (previous token, subject, punctuation…) in one layer.',
    },
  ],
  resources: [
    { title: 'Stanford CS336 — lectures 3 and 4 (architectures, attention)', url: 'https://stanford-cs336.github.io/spring2025/' },
    { title: 'MLabonne LLM course — The LLM Scientist: LLM architecture', url: 'https://github.com/mlabonne/llm-course#1-the-llm-architecture' },
    { title: 'Vaswani et al. — Attention is all you need', url: 'https://arxiv.org/abs/1706.03762' },
    { title: 'Anthropic — In-context learning and induction heads', url: 'https://transformer-circuits.pub/2022/in-context-learning-and-induction-heads/index.html' },
  ],
});
