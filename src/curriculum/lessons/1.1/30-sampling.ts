import { defineLessonPart } from '../../types';

const BT = '`';

export default defineLessonPart({
  topic: '1.1',
  order: 30,
  title: 'Sampling parameters',
  body: String.raw`
A language model does not output text: at each step it outputs **logits** $z_i$, one score per
token of its vocabulary. *Sampling* turns them into one token, and the knobs you pass to an API
decide how:

- **temperature** $T$ divides the logits before the softmax, $p_i \propto e^{z_i / T}$. $T<1$ sharpens the
  distribution (more predictable), $T>1$ flattens it (more varied, more mistakes); $T=0$ is taken to
  mean **greedy**: always the most probable token.
- **top-k** keeps only the $k$ most probable tokens.
- **top-p** (nucleus) keeps the smallest set of most probable tokens whose probabilities add up to $p$
  — few tokens when the model is sure, many when it is not.
- **min-p** keeps tokens with $p_i \ge \text{min\_p} \cdot \max_j p_j$: a cut relative to the best token.
- **penalties** lower the logits of tokens already used: *presence* subtracts a constant once a token
  appeared, *frequency* subtracts per occurrence, the *repetition penalty* divides positive logits.
- **max_tokens** stops generation after that many tokens, whether or not the answer is finished
  (${BT}finish_reason: "length"${BT}). **seed** makes the random draws repeatable.

After the cuts the kept probabilities are renormalised and one token is drawn. The lab runs this
exact pipeline — the same code the built-in engine generates with — on TinyLM's real next-token
distribution for your prompt. Move a slider and watch which tokens survive; then draw samples with
a seed and compare their spread with the single greedy answer. Switch the source to *a model from
the picker* to do the same with any model that returns logprobs (a web-llm model on your GPU, or an
OpenAI-compatible server): the lab asks it for its top-20 ${BT}top_logprobs${BT} and sends your settings
as the API parameters.
`,
  labs: ['sampling'],
  after: String.raw`
**Rules of thumb.** For extraction, classification and JSON, use temperature 0 (or close) so
answers are stable. For creative text, temperature 0.7–1 with top-p 0.9 or min-p 0.05 keeps variety
without the long tail of nonsense. Change one knob at a time: temperature and top-p interact.
Always set ${BT}max_tokens${BT}, and check ${BT}finish_reason${BT} to know when an answer was cut.
`,
  quiz: [
    {
      question: 'Probabilities are [0.5, 0.3, 0.1, 0.1]. Which tokens does top-p = 0.8 keep?',
      choices: ['Only the first', 'The first two', 'The first three', 'All four'],
      answer: 1,
      explanation: '0.5 + 0.3 = 0.8 reaches p, so the nucleus is the first two; they are renormalised to 0.625 and 0.375.',
    },
    {
      question: 'What does raising the temperature from 1 to 2 do?',
      choices: ['Makes the most likely token certain', 'Flattens the distribution, giving unlikely tokens more chance', 'Removes tokens below a threshold', 'Makes outputs repeatable'],
      answer: 1,
      explanation: 'Dividing logits by 2 halves the gaps between them, so the softmax is flatter.',
    },
    {
      question: 'Two requests with the same prompt, temperature 0.8 and the same seed on the same engine…',
      choices: ['always differ', 'give the same output', 'give the greedy output', 'fail'],
      answer: 1,
      explanation: 'The seed fixes the random draws, so the same distribution gives the same tokens (on the same software and hardware).',
    },
    {
      question: 'An answer ends mid-sentence with finish_reason "length". Why?',
      choices: ['The model chose to stop', 'max_tokens was reached', 'top-k was too small', 'The temperature was 0'],
      answer: 1,
      explanation: '"length" means generation hit max_tokens (or the context window); "stop" means the model produced an end token or a stop sequence.',
    },
  ],
  resources: [
    { title: 'MLabonne LLM course — Sampling techniques', url: 'https://github.com/mlabonne/llm-course#1-the-llm-architecture' },
    { title: 'Holtzman et al. — The curious case of neural text degeneration (top-p)', url: 'https://arxiv.org/abs/1904.09751' },
    { title: 'Nguyen et al. — Min-p sampling', url: 'https://arxiv.org/abs/2407.01082' },
    { title: 'OpenAI API reference — chat completions parameters', url: 'https://platform.openai.com/docs/api-reference/chat/create' },
  ],
});
