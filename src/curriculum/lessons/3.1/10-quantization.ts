import { defineLessonPart } from '../../types';

/** An inline code span (a backtick cannot be written inside String.raw). */
const code = (s: string) => '`' + s + '`';
import measured from './measured.json';

// Figures below come from `npm run bench inference -- --write` (measured.json); never retype them.
const base = measured.quantization['tinylm-base'];
const chat = measured.quantization['tinylm-chat'];
const row = (rows: typeof base, v: string) => rows.find((r) => r.variant === v)!;
const pct = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(2)} %`;
const kib = (b: number) => `${Math.round(b / 1024)} KiB`;

export default defineLessonPart({
  topic: '3.1',
  order: 10,
  title: 'Quantization: fewer bits per weight',
  body: String.raw`
Decoding one token reads every weight of the model once. On most hardware that reading, not the
arithmetic, sets the speed, so storing weights in fewer bits makes a model both smaller and faster
— if its predictions survive the rounding.

**Block quantization.** Split each weight row into blocks, store one scale per block and a small
integer per weight: $\hat w = d \cdot q$. ggml (llama.cpp's library) defines the formats GGUF files hold:

| format | block | stored per block | bits / weight |
|---|---|---|---|
| F16 | — | half-precision floats | 16 |
| Q8_0 | 32 | f16 scale $d = \max_i \lvert w_i \rvert / 127$ + 32 × int8 | 8.5 |
| Q4_0 | 32 | f16 scale + 32 × 4-bit $q$, $\hat w = (q-8)\,d$ | 4.5 |
| int4 RTN g32 (AutoAWQ-style) | 32 | f16 scale + 4-bit zero point + 32 × 4-bit | 4.625 |
| NF4 (QLoRA, bitsandbytes) | 64 | 64 × 4-bit index into 16 quantiles of a normal distribution; absmax scale, itself 8-bit quantized | ≈ 4.13 |

**k-quants** (Q2_K … Q6_K, e.g. the popular Q4_K_M) group 256 weights into a super-block whose
sub-block scales are themselves quantized to 6 or 8 bits, which cuts the overhead to about 4.5 bits
for "4-bit"; the ${code('_M')}/${code('_S')} variants keep the most sensitive tensors (attention V, feed-forward down) at a
higher k-quant. **GPTQ** quantizes one weight column at a time and updates the columns not yet
quantized to cancel the error it just made, using second-order statistics $H = 2XX^\top$ of
calibration activations (Optimal Brain Quantization, made fast). **AWQ** does not change the rounding at
all: it notices that a few input channels carry much larger activations, and that the weights
multiplying them matter most. It scales those weight columns up before rounding, $Q(W\,\mathrm{diag}(s))$,
and divides the input by $s$ — folded into the RMSNorm weight (or the previous linear layer) that
produces it, so nothing extra is stored. The exponent $\alpha$ in $s = \bar{|x|}^{\alpha}$ is searched on a
grid, minimising the block's output error on calibration text; $\alpha = 0$ is plain rounding.

The lab quantizes every weight matrix of TinyLM with each format (the Q8_0/Q4_0 bytes are bit for
bit what our GGUF export writes), runs the dequantized model and measures held-out perplexity on
stories the model never saw, the KL divergence from the F32 model's next-token distribution, and
how often greedy decoding still picks the same tokens.
`,
  labs: ['quantization'],
  after: String.raw`
**What we measured** (${measured.date}, ${measured.cpu}; tinylm-base, 40 held-out stories):
F32 is ${kib(row(base, 'f32').bytes)} at perplexity ${row(base, 'f32').perplexity.toFixed(3)}.
Q8_0 (${kib(row(base, 'q8_0').bytes)}) changes perplexity by ${pct(row(base, 'q8_0').pplIncrease)} — 8 bits are
practically lossless. Q4_0 (${kib(row(base, 'q4_0').bytes)}) costs ${pct(row(base, 'q4_0').pplIncrease)} and agrees with
F32's top token at ${(row(base, 'q4_0').top1Agreement * 100).toFixed(1)} % of positions; a small model has little
redundancy, and its tied embedding doubles as the output layer, so rounding it hurts twice. The int4 rows keep
that embedding in F16, as AutoAWQ and GPTQ do, which is why they are larger
(${kib(row(base, 'int4-rtn').bytes)}, ${row(base, 'int4-rtn').bitsPerWeight.toFixed(2)} bits per weight overall).
AWQ against plain rounding, same bytes: ${pct(row(base, 'int4-awq').pplIncrease)} vs ${pct(row(base, 'int4-rtn').pplIncrease)} perplexity,
KL ${row(base, 'int4-awq').klToF32.toExponential(2)} vs ${row(base, 'int4-rtn').klToF32.toExponential(2)}.

A caution the numbers teach: on tinylm-chat AWQ again lowers the KL divergence
(${row(chat, 'int4-awq').klToF32.toExponential(2)} vs ${row(chat, 'int4-rtn').klToF32.toExponential(2)}) and agrees more often with
F32's greedy output (${row(chat, 'int4-awq').greedySame}/${row(chat, 'int4-awq').greedyTotal} vs ${row(chat, 'int4-rtn').greedySame}/${row(chat, 'int4-rtn').greedyTotal} prompts), yet its perplexity change
is ${pct(row(chat, 'int4-awq').pplIncrease)} against ${pct(row(chat, 'int4-rtn').pplIncrease)} for plain rounding: rounding noise
can move perplexity either way by chance, so "perplexity did not rise" is weak evidence on its own.
Measure the distance to the original model (KL, agreement) too — llama.cpp's ${code('llama-perplexity --kl-divergence')} does.

Our CPU engine multiplies by the dequantized float32 weights, so the decode-speed column is the same
for every format within noise; the speed of 4-bit models comes from kernels that read the packed blocks
(llama.cpp, MLC/web-llm's ${code('q4f16')} builds). Our F16, Q8_0 and Q4_0 GGUF files load in llama.cpp
(the project's tests run them in wllama and compare the outputs); ${code('npm run tinylm -- export-gguf')} writes them.
Because AWQ's scales are folded into ordinary weights, an AWQ-scaled TinyLM also exports to a plain Q4_0 file that
llama.cpp runs unchanged — that is how llama.cpp uses AWQ (a test checks its greedy output against ours).
NF4 spends its 16 levels where normally distributed weights are dense, which is why QLoRA stores frozen base
weights in it: here ${pct(row(base, 'nf4').pplIncrease)} perplexity and KL ${row(base, 'nf4').klToF32.toExponential(2)}, with about 4.13 bits on
the linear layers against 4.63 for int4 g32. Not built yet in this lab: a GGUF export button.
`,
  quiz: [
    {
      question: 'How many bits per weight does Q4_0 use, counting its scales?',
      choices: ['4', '4.5', '5', '8'],
      answer: 1,
      explanation: 'Each block of 32 weights stores 32 × 4 bits plus one 16-bit scale: (128 + 16) / 32 = 4.5 bits per weight.',
    },
    {
      question: 'Where does AWQ store its per-channel scales?',
      choices: ['In an extra tensor next to each weight matrix', 'Nowhere: they are folded into the operation that produces the layer input (an RMSNorm weight or the previous linear layer)', 'In the KV cache', 'In the tokenizer'],
      answer: 1,
      explanation: 'W·diag(s) is quantized and the input is divided by s; dividing the preceding RMSNorm weight (or previous layer rows) by s does that for free.',
    },
    {
      question: 'What does GPTQ do that round-to-nearest does not?',
      choices: ['Uses more bits for every weight', 'Quantizes columns one by one and adjusts the remaining weights to compensate the error, using calibration activations', 'Trains the model again', 'Quantizes the activations to 4 bits'],
      answer: 1,
      explanation: 'GPTQ (after Optimal Brain Quantization) spreads each rounding error onto the not-yet-quantized weights using the inverse Hessian of the layer’s squared error.',
    },
  ],
  resources: [
    { title: 'MLabonne — Introduction to weight quantization', url: 'https://mlabonne.github.io/blog/posts/Introduction_to_Weight_Quantization.html' },
    { title: 'Lin et al. — AWQ: Activation-aware Weight Quantization', url: 'https://arxiv.org/abs/2306.00978' },
    { title: 'Frantar et al. — GPTQ', url: 'https://arxiv.org/abs/2210.17323' },
    { title: 'Dettmers et al. — QLoRA (NF4)', url: 'https://arxiv.org/abs/2305.14314' },
    { title: 'llama.cpp — k-quants (PR #1684)', url: 'https://github.com/ggml-org/llama.cpp/pull/1684' },
  ],
});
