import { defineLessonPart } from '../../types';

const BT = '`';

export default defineLessonPart({
  topic: '1.1',
  order: 20,
  title: 'Context window vs model size',
  body: String.raw`
Two numbers describe how "big" a model is, and they are often confused:

- **Model size** — the number of parameters $N$ (weights). It fixes how much the model *knows*
  and how much memory its weights need: $N \times$ bytes per weight. An 8-billion-parameter model
  is 16 GB in 16-bit floats and about 4.5 GB at 4.5 bits per weight (4-bit blocks plus their scales).
- **Context window** — the most tokens the model can attend to at once (prompt + answer). It is set
  by training (the positions it has seen) and by memory at run time, because every token in the
  window keeps its keys and values in the **KV cache**:

$$
\text{KV bytes} = 2 \times n_\text{layers} \times n_\text{kv heads} \times d_\text{head} \times n_\text{tokens} \times \text{bytes per value}.
$$

The weights are paid once; the KV cache grows **linearly with the context** (and with the number
of sequences served in parallel). For Llama 3.1 8B in 16-bit, each token costs
$2 \cdot 32 \cdot 8 \cdot 128 \cdot 2 = 131\,072$ bytes = 128 KiB, so its full 128k window needs 16 GiB of
cache — as much as its weights. That is why long-context models use **grouped-query attention**
(many query heads share a few key/value heads: 32 vs 8 here, a 4× smaller cache) and why servers
quantise the cache.

The calculator uses the real shapes of the models web-llm can run in your browser (and our own
TinyLM), read from each model's ${BT}config.json${BT} — pick one, change the precision and the context,
and see what fits the memory this device reports. Then send TinyLM a prompt longer than its
window and see the two things that can happen: an error, or silently forgetting the beginning.
`,
  labs: ['context-window'],
  after: String.raw`
**Takeaways.** A bigger model is not a longer context, and a longer context is not free: memory
is weights + KV cache, and only the second grows with your prompt. When a conversation outgrows
the window, something must go — the oldest turns (sliding window), a summary of them, or
retrieved snippets instead of whole documents (lesson 1.4).
`,
  quiz: [
    {
      question: 'Which grows when you double the prompt length?',
      choices: ['The weight memory', 'The KV-cache memory', 'The number of parameters', 'The vocabulary size'],
      answer: 1,
      explanation: 'Every token keeps a key and a value vector per layer and KV head; weights do not depend on the prompt.',
    },
    {
      question: 'Model A has 32 query heads and 8 key/value heads; model B has 32 of each, same layers and head size. Per token, A’s KV cache is…',
      choices: ['4× larger than B’s', 'the same as B’s', '4× smaller than B’s', '32× smaller than B’s'],
      answer: 2,
      explanation: 'The cache stores keys and values only for the KV heads: 8 instead of 32, so a quarter of the memory (grouped-query attention).',
    },
    {
      question: 'A 7B model at 4.5 bits per weight needs about how much memory for its weights?',
      choices: ['~0.9 GB', '~3.9 GB', '~14 GB', '~28 GB'],
      answer: 1,
      explanation: '7·10⁹ × 4.5 / 8 ≈ 3.9·10⁹ bytes. In 16-bit it would be 14 GB, in 32-bit 28 GB.',
    },
    {
      question: 'A prompt is longer than the model’s context window. What does a typical API do?',
      choices: ['Silently uses a bigger window', 'Returns an error (e.g. context_length_exceeded) unless you truncate', 'Compresses the prompt automatically', 'Answers normally but more slowly'],
      answer: 1,
      explanation: 'The window is a hard limit. Either the request fails or your code truncates/summarises the input — and whatever is dropped is unknown to the model.',
    },
  ],
  resources: [
    { title: 'MLabonne LLM course — LLM architecture', url: 'https://github.com/mlabonne/llm-course#1-the-llm-architecture' },
    { title: 'Stanford CS336 (lectures on architecture and inference)', url: 'https://stanford-cs336.github.io/spring2025/' },
    { title: 'Ainslie et al. — GQA: grouped-query attention', url: 'https://arxiv.org/abs/2305.13245' },
  ],
});
