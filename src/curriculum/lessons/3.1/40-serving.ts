import { defineLessonPart } from '../../types';

/** An inline code span (a backtick cannot be written inside String.raw). */
const code = (s: string) => '`' + s + '`';
import measured from './measured.json';

// Figures below come from `npm run bench inference -- --write` (measured.json); never retype them.
const sv = measured.serving;
const ep = measured.serving.endpoint;
// `npm run bench inference -- --only=serving --write` stamps when the serving section was measured.
const when = (measured as { servingMeasuredOn?: { date: string } }).servingMeasuredOn ?? measured;
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

**The same API in this app, on the same engine.** Below the lab, an OpenAI-compatible endpoint runs inside the
page: the app's service worker answers same-origin ${code('/v1/chat/completions')} (JSON, or server-sent events:
${code('data: {chunk}')} lines ending with ${code('data: [DONE]')}), ${code('/v1/completions')}, ${code('/v1/embeddings')} and
${code('/v1/models')} by passing each request to an open page of the app, which hands it to the serving engine in its own
worker (the page stays responsive). Chat and raw completions both go through the lab's engine: every request becomes a
sequence in the continuous batcher, so requests that are in flight together are decoded in the same forward passes
over the paged cache, each with its own sampler — its own seed, stop strings, JSON-schema or tool-call constraint — so a
reply is the same whether it was served alone or in a crowd (greedy, or sampled with a seed). Replies carry our own
${code('usage.extra.mean_batch_size')}: how many sequences shared the passes that produced them. Code in the page —
${code("fetch('./v1/chat/completions')")}, an OpenAI client, LangChain's ${code('ChatOpenAI')} with that base URL, this app's
remote backend — then works offline. Errors come back the way OpenAI's clients expect: a JSON body
${code('{"error": {"message", "type", "param", "code"}}')} with 400 for malformed JSON, a prompt over the context
(${code('context_length_exceeded')}) or more choices than the server gives (${code('n')} above 4), 404 for an unknown model, 405 for a
wrong method. A request for ${code('n')} choices prefills its prompt once and forks the blocks for the other choices
(copy-on-write, as vLLM does for parallel sampling); they then decode side by side. A client that disconnects mid-stream cancels its request:
the scheduler retires the sequence before the next step and its blocks go back to the free list, while the other
sequences keep decoding.

**How it compares with vLLM and TGI.** The ideas are the same; the scale and the policies differ.

| | this app | vLLM | TGI |
|---|---|---|---|
| batching | continuous, every step | continuous, every step ([scheduler](https://docs.vllm.ai/en/stable/api/vllm/config/scheduler/)) | continuous, in its [router](https://github.com/huggingface/text-generation-inference/blob/main/router/README.md) |
| limits per step | ${code('maxBatch')} sequences (8 behind the endpoint) | ${code('max_num_seqs')} and a token budget ${code('max_num_batched_tokens')} | ${code('--max-batch-size')}, ${code('--max-batch-total-tokens')} ([launcher](https://huggingface.co/docs/text-generation-inference/basic_tutorials/launcher)) |
| KV cache | paged, 16-token blocks, free list, reference counts | PagedAttention ([paper](https://arxiv.org/abs/2309.06180)), 16-token blocks by default | [paged attention](https://huggingface.co/docs/text-generation-inference/conceptual/paged_attention) |
| when blocks run out | never: a request is admitted only when blocks for its prompt *and* ${code('max_tokens')} are free | admits optimistically, then preempts a sequence (recomputed later) | admits within its total-token budget |
| long prompts | prefilled whole, in the same pass as others' decode steps | chunked prefill: a prompt is split across steps within the token budget | prompts processed in chunks ([TGI v3](https://huggingface.co/docs/text-generation-inference/conceptual/chunking)) |
| prefix sharing | forked blocks with copy-on-write: the lab's shared-prefix requests, and a request's ${code('n')} choices (one prefill); no reuse across separate requests yet | [automatic prefix caching](https://docs.vllm.ai/en/stable/examples/features/automatic_prefix_caching/) (blocks found by hash) | keeps earlier conversations' cache for the next turn (v3) |
| reachable by | this app's pages only | any HTTP client | any HTTP client |

Reserving every request's blocks up front is why our engine never evicts anyone, and also why it admits fewer requests
than the memory could hold most of the time: vLLM bets that most replies end early and pays with a recomputation when
the bet fails. And prefilling a whole prompt in one step makes every other user's next token wait for it — what chunked
prefill removes. Beyond that, vLLM and TGI add tensor parallelism over several GPUs, quantized kernels, speculative
decoding, authentication and metrics. TGI's OpenAI-style routes are its *Messages API* (${code('/v1/chat/completions')}) next to its
own ${code('/generate')}; embeddings in Hugging Face's stack come from a separate server (TEI), while vLLM serves them from
embedding models. Ours stops when the last tab of the app closes, and a service worker never sees requests from other
programs, so ${code('curl')} cannot reach it.
`,
  labs: ['serving'],
  after: String.raw`
**What we measured** (${when.date}; ${sv.requests} requests, batch of up to ${sv.maxBatch}): continuous batching generated
${f(sv.continuous.tokensPerSecond)} tokens/s against ${f(sv.static.tokensPerSecond)} for static batching
(${f(sv.continuous.tokensPerStep, 2)} vs ${f(sv.static.tokensPerStep, 2)} tokens per step), with time to first token at p95
${f(sv.continuous.ttftP95)} ms vs ${f(sv.static.ttftP95)} ms; the paged cache held tokens in ${f(sv.continuous.utilisation * 100)} % of its
allocated slots. Every request's output was identical to running it alone (${sv.identical ? 'yes' : 'no'}).
Time per output token was ${f(sv.continuous.tpotP50, 2)} vs ${f(sv.static.tpotP50, 2)} ms at p50. It is the figure continuous batching
can hurt: newly admitted prompts are prefilled in the same passes as other requests' decode steps, so those steps take
longer — which is why vLLM and TGI split long prefills into chunks. (Timings vary with the machine's load: rerun the
lab to see yours.)

**Concurrent clients of the endpoint** (${ep.n} greedy ${ep.kind === 'story' ? 'story continuations' : 'context questions'} of up to ${ep.maxTokens} tokens, the handler called
in Node without the service worker): one at a time, ${f(ep.oneAtATime.tokensPerSecond)} tokens/s; all at once, ${f(ep.concurrent.tokensPerSecond)} tokens/s
(${f(ep.concurrent.tokensPerSecond / ep.oneAtATime.tokensPerSecond, 2)}×), with up to ${ep.maxBatch} sequences in a pass and every reply identical both ways
(${ep.identical ? 'yes' : 'no'}). Each request waited longer (p50 latency ${f(ep.concurrent.latencyP50)} ms against ${f(ep.oneAtATime.latencyP50)} ms alone):
batching trades a little latency per user for throughput. On this CPU the gain comes from fewer passes and less
per-request overhead; on a GPU, where a decode step reads every weight from memory whatever the batch, it is far larger.
The panel under the lab fires the same requests from this page, through the service worker.
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
    { title: 'TGI — the router: continuous batching', url: 'https://github.com/huggingface/text-generation-inference/blob/main/router/README.md' },
    { title: 'vLLM — scheduler configuration (max_num_seqs, max_num_batched_tokens)', url: 'https://docs.vllm.ai/en/stable/api/vllm/config/scheduler/' },
    { title: 'LangChain.js — ChatOpenAI', url: 'https://docs.langchain.com/oss/javascript/integrations/chat/openai' },
  ],
});
