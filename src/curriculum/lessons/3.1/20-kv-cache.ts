import { defineLessonPart } from '../../types';
import measured from './measured.json';

// Figures below come from `npm run bench inference -- --write` (measured.json); never retype them.
const kv = measured.kv;

export default defineLessonPart({
  topic: '3.1',
  order: 20,
  title: 'The KV cache',
  body: String.raw`
A decoder predicts token $t+1$ from tokens $1..t$. Attention at position $t$ needs the query of
token $t$ and the **keys and values of every earlier token** — and those never change once computed,
because of the causal mask. So an inference engine keeps them: each decoding step runs only the new
token through the layers, appends its key and value to a per-layer cache, and attends over the cache.
Without the cache every step would re-run the whole prefix: step $t$ costs $O(t)$ token passes and a
reply of $n$ tokens $O(n^2)$.

The price is memory, per token of context:

$$\text{bytes per token} = 2 \cdot \text{layers} \cdot \text{KV heads} \cdot \text{head dim} \cdot \text{bytes per value}$$

(2 for K and V). **Grouped-query attention** (GQA) lets several query heads share one key/value
head, dividing the cache by heads ÷ KV heads; multi-query attention is the extreme of one KV head.
TinyLM's 3 query heads share 1 KV head. At long contexts and large batches the cache, not the weights,
fills GPU memory — which is what vLLM's paged cache (next sections) manages.

The lab decodes with TinyLM's cache and without it (a fresh pass over the whole sequence per step),
checks that both give the same tokens, plots the time of each step against its position, and compares
the formula with the bytes the cache really allocates.
`,
  labs: ['kv-cache'],
  after: String.raw`
**What we measured** (${measured.date}): ${kv.tokens} greedy tokens were identical with and without the cache
(${kv.identical ? 'yes' : 'no'}); the uncached run took ${(kv.uncachedMs / kv.cachedMs).toFixed(0)}× longer, and its step time grew by
${(kv.uncachedSlopeMs * 1000).toFixed(0)} µs per position against ${(kv.cachedSlopeMs * 1000).toFixed(1)} µs with the cache.
TinyLM's cache holds ${kv.bytesPerToken} B per token (2 · 3 · 1 · 32 · 4 B in float32), ${kv.windowBytes.toLocaleString('en')} B for its
256-token window; with a KV head per query head it would be ${kv.mhaBytesPerToken} B. The cached step still grows slightly:
attention reads one more cached key and value per position, a cost that dominates only at long contexts
(which is why FlashAttention-style kernels and cache quantization matter there).
`,
  quiz: [
    {
      question: 'Llama 3.1 8B has 32 layers, 8 KV heads of dimension 128. How large is its f16 KV cache per token?',
      choices: ['64 KiB', '128 KiB', '512 KiB', '1 MiB'],
      answer: 1,
      explanation: '2 · 32 · 8 · 128 · 2 B = 131,072 B = 128 KiB; with 32 KV heads (no GQA) it would be 512 KiB, like Llama 2 7B.',
    },
    {
      question: 'Why may an engine cache keys and values but not queries?',
      choices: ['Queries are larger', 'Only the newest token’s query is ever needed; earlier tokens’ keys and values are needed at every later step', 'Queries change every step', 'Keys and values are smaller'],
      answer: 1,
      explanation: 'Each step attends from the new token to all previous ones: one new query, every old key and value.',
    },
    {
      question: 'Without a cache, how does the total work of generating n tokens grow?',
      choices: ['Linearly in n', 'Quadratically in n', 'It does not depend on n', 'Exponentially'],
      answer: 1,
      explanation: 'Step t re-processes t tokens, so the total is 1 + 2 + … + n ≈ n²/2 token passes (plus attention, which grows even faster).',
    },
  ],
  resources: [
    { title: 'Ainslie et al. — GQA: training generalized multi-query transformer models', url: 'https://arxiv.org/abs/2305.13245' },
    { title: 'Shazeer — Fast transformer decoding: one write-head is all you need (MQA)', url: 'https://arxiv.org/abs/1911.02150' },
  ],
});
