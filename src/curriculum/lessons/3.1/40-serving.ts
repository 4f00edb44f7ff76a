import { defineLessonPart } from '../../types';

/** An inline code span (a backtick cannot be written inside String.raw). */
const code = (s: string) => '`' + s + '`';
import measured from './measured.json';

// Figures below come from `npm run bench inference -- --write` (measured.json); never retype them.
const sv = measured.serving;
const f = (x: number, d = 0) => x.toFixed(d);

export default defineLessonPart({
  topic: '3.1',
  order: 40,
  title: 'Serving many users: vLLM, TGI and continuous batching',
  body: String.raw`
A chat server decodes for many users at once. Batching their sequences into one forward pass
reads the weights once for all of them, so throughput grows almost linearly with the batch until
compute, not memory bandwidth, is the limit. Three ideas make this work at scale:

- **Continuous (iteration-level) batching** (Orca): instead of waiting for the slowest sequence of a
  batch to finish, the scheduler admits new requests and retires finished ones at *every* decoding
  step, so the batch stays full.
- **Paged KV cache** (vLLM's PagedAttention): the cache is cut into fixed blocks (16 tokens by
  default) taken from a free list, and each sequence has a block table mapping its positions to
  blocks, like virtual memory. Only a sequence's last block is partly empty, instead of reserving the
  maximum length per request; the vLLM paper reports earlier systems using only 20–38 % of their KV
  memory for real tokens and vLLM about 96 %. Blocks are reference-counted, so requests with a
  shared prefix (a system prompt, parallel samples) share blocks and copy one only when they write
  to it (copy-on-write).
- **An OpenAI-compatible HTTP API** (${code('POST /v1/chat/completions')}, streaming with server-sent
  events), so any OpenAI client can use the server.

**vLLM** (${code('vllm serve <model>')}) and Hugging Face's **TGI** (${code('text-generation-launcher')}, usually in
Docker) both implement these, plus tensor parallelism, quantized weights (AWQ, GPTQ, FP8) and
speculative decoding. To use one from this app, run it on a machine with a GPU and enter its
${code('…/v1')} URL as a remote endpoint on the Models page; the chat and every lab using the engine then
talk to it. (llama.cpp's ${code('llama-server')} and Ollama offer the same API on a CPU or a laptop GPU.)

The lab is a small serving engine of that kind, written for this course: TinyLM decodes several
sequences in one forward pass over a paged cache (16-token blocks, block tables, a free list,
reference-counted prefix sharing with copy-on-write), and a scheduler serves a seeded stream of
requests with static or continuous batching. It checks that every request's tokens are the same as
when it runs alone — batching must never change an answer.

**The same API in this app.** At the end of the lab, an OpenAI-compatible endpoint runs inside the page: the
app's service worker answers same-origin ${code('/v1/chat/completions')} (JSON, or server-sent events:
${code('data: {chunk}')} lines ending with ${code('data: [DONE]')}), ${code('/v1/completions')}, ${code('/v1/embeddings')} and
${code('/v1/models')} by passing each request to the open page, where TinyLM runs in its worker. Code in
the page — ${code("fetch('./v1/chat/completions')")}, an OpenAI client, LangChain's ${code('ChatOpenAI')} with that base
URL — then works offline. Errors come back the way OpenAI's clients expect: a JSON body
${code('{"error": {"message", "type", "param", "code"}}')} with 400 for malformed JSON or a prompt over the context
(${code('context_length_exceeded')}), 404 for an unknown model, 405 for a wrong method; a client that
disconnects mid-stream stops generation.

How it differs from vLLM and TGI: those are real HTTP servers reachable by any program, serve many
users through continuous batching over a paged cache on a GPU, and add authentication, metrics and
multi-GPU parallelism. TGI's OpenAI-style routes are its *Messages API* (${code('/v1/chat/completions')}) next to its
own ${code('/generate')}; embeddings in Hugging Face's stack come from a separate server (TEI), while vLLM serves
them from embedding models. Ours is reachable only by this app's pages (a service worker never sees
requests from other programs, so ${code('curl')} cannot reach it), runs one request at a time through
TinyLM's chat engine — the batching engine of the lab is not behind it yet — and stops when the last
tab of the app closes.
`,
  labs: ['serving'],
  after: String.raw`
**What we measured** (${measured.date}; ${sv.requests} requests, batch of up to ${sv.maxBatch}): continuous batching generated
${f(sv.continuous.tokensPerSecond)} tokens/s against ${f(sv.static.tokensPerSecond)} for static batching
(${f(sv.continuous.tokensPerStep, 2)} vs ${f(sv.static.tokensPerStep, 2)} tokens per step), with time to first token at p95
${f(sv.continuous.ttftP95)} ms vs ${f(sv.static.ttftP95)} ms; the paged cache held tokens in ${f(sv.continuous.utilisation * 100)} % of its
allocated slots. Every request's output was identical to running it alone (${sv.identical ? 'yes' : 'no'}).
Time per output token was ${f(sv.continuous.tpotP50, 2)} vs ${f(sv.static.tpotP50, 2)} ms at p50. It is the figure continuous batching
can hurt: newly admitted prompts are prefilled in the same passes as other requests' decode steps, so those steps take
longer — which is why vLLM and TGI split long prefills into chunks. (Timings vary with the machine's load: rerun the
lab to see yours.)
`,
  quiz: [
    {
      question: 'With 16-token blocks, at most how many cache slots does a sequence of 100 tokens waste in a paged KV cache?',
      choices: ['0', '12', '100', '156 (up to a 256-token reservation)'],
      answer: 1,
      explanation: '100 tokens need 7 blocks (112 slots); only the last block is partly empty: 12 slots. A contiguous reservation for the maximum length would waste far more.',
    },
    {
      question: 'What does continuous batching change compared with static batching?',
      choices: ['It uses a larger model', 'Requests join and leave the running batch at every decoding step instead of waiting for the whole batch to finish', 'It runs each request alone', 'It disables the KV cache'],
      answer: 1,
      explanation: 'Iteration-level scheduling keeps the batch full: a finished sequence’s slot is given to a waiting request at the next step.',
    },
  ],
  resources: [
    { title: 'Kwon et al. — Efficient memory management for LLM serving with PagedAttention (vLLM)', url: 'https://arxiv.org/abs/2309.06180' },
    { title: 'Yu et al. — Orca: iteration-level scheduling', url: 'https://www.usenix.org/conference/osdi22/presentation/yu' },
    { title: 'vLLM — OpenAI-compatible server', url: 'https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html' },
    { title: 'Hugging Face — Text Generation Inference', url: 'https://huggingface.co/docs/text-generation-inference/index' },
  ],
});
