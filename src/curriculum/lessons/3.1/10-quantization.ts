import { defineLessonPart } from '../../types';

/** An inline code span (a backtick cannot be written inside String.raw). */
const code = (s: string) => '`' + s + '`';
import measured from './measured.json';

// Figures below come from `npm run bench inference -- --write` (measured.json); never retype them.
const base = measured.quantization['tinylm-base'];
const chat = measured.quantization['tinylm-chat'];
const when = (measured as { quantizationMeasuredOn?: { date: string; cpu: string } }).quantizationMeasuredOn ?? measured;
type Row = (typeof base)[number];
const row = (rows: Row[], v: string) => rows.find((r) => r.variant === v)!;
const pct = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(2)} %`;
const kib = (b: number) => `${Math.round(b / 1024)} KiB`;
const kl = (x: number) => (x === 0 ? '0' : x.toExponential(1));
/** The measured table, both models side by side. */
const table = [
  '| format | size | bits / weight (format) | whole file, bits / parameter | base: perplexity change | base: KL to F32 | chat: perplexity change | chat: KL to F32 |',
  '|---|---|---|---|---|---|---|---|',
  ...base.map((r) => {
    const c = row(chat, r.variant);
    return `| ${r.label} | ${kib(r.bytes)} | ${r.bitsPerWeight.toFixed(3)} | ${r.fileBitsPerWeight.toFixed(2)} | ${r.variant === 'f32' ? '—' : pct(r.pplIncrease)} | ${kl(r.klToF32)} | ${c.variant === 'f32' ? '—' : pct(c.pplIncrease)} | ${kl(c.klToF32)} |`;
  }),
].join('\n');
const awqB = row(base, 'int4-awq'), rtnB = row(base, 'int4-rtn'), awqC = row(chat, 'int4-awq'), rtnC = row(chat, 'int4-rtn');
const below = (awq: Row, rtn: Row) => awq.pplIncrease <= rtn.pplIncrease;
/** Where AWQ's perplexity change lands against plain int4's, in words (the figures decide). */
const verdict = below(awqB, rtnB) && below(awqC, rtnC) ? 'AWQ stays below plain int4 on both models'
  : !below(awqB, rtnB) && !below(awqC, rtnC) ? 'AWQ does not beat plain int4 on either model'
  : `AWQ beats plain int4 on ${below(awqB, rtnB) ? 'tinylm-base' : 'tinylm-chat'} only`;
const req = measured.quantizationRequest;
const q4B = row(base, 'q4_0'), q4aB = row(base, 'q4_0-awq'), q4C = row(chat, 'q4_0'), q4aC = row(chat, 'q4_0-awq');
/** "better" / "no better" for the AWQ Q4_0 file against plain Q4_0, by KL (the steadier measure). */
const q4Word = (a: Row, p: Row) => (a.klToF32 < p.klToF32 && a.pplIncrease <= p.pplIncrease ? 'better than' : a.klToF32 > p.klToF32 && a.pplIncrease > p.pplIncrease ? 'worse than' : 'level with');
const soB = awqB.awqScalesOnly!, soC = awqC.awqScalesOnly!;

export default defineLessonPart({
  topic: '3.1',
  order: 10,
  title: 'Quantization: fewer bits per weight',
  body: String.raw`
Decoding one token reads every weight of the model once. On most hardware that reading, not the
arithmetic, sets the speed, so storing weights in fewer bits makes a model both smaller and faster
— if its predictions survive the rounding.

**Block quantization.** Split each weight row into blocks, store one scale per block and a small
integer per weight: $\hat w = d \cdot q$. ggml (llama.cpp's library) defines the formats GGUF files hold;
the others below are what GPU libraries use:

| format | block | stored per block | bits / weight | in GGUF? |
|---|---|---|---|---|
| F16 | — | half-precision floats | 16 | yes |
| Q8_0 | 32 | f16 scale $d = \max_i \lvert w_i \rvert / 127$ + 32 × int8 | 8.5 | yes |
| Q4_0 | 32 | f16 scale + 32 × 4-bit $q$, $\hat w = (q-8)\,d$ | 4.5 | yes |
| Q4_1 | 32 | f16 scale + f16 minimum + 32 × 4-bit, $\hat w = q\,d + m$ | 5.0 | yes |
| int4 g32 with zero point (AutoAWQ/GPTQ style) | 32 | f16 scale + 4-bit zero $z$ + 32 × 4-bit, $\hat w = (q - z)\,d$ | 4.625 | no — nearest is Q4_1 |
| NF4 (QLoRA, bitsandbytes) | 64 | 64 × 4-bit index into 16 quantiles of a normal distribution; absmax scale, itself 8-bit quantized ("double quantization") | ≈ 4.13 (4.5 without double quantization) | no — nearest is IQ4_NL, a fixed non-uniform 4-bit grid |

"Bits per weight" is a property of the format and counts only the matrices stored in it. A whole file
is more: the norm weights stay in F32, and the int4 and NF4 recipes keep the embedding in F16 — for
TinyLM, whose tied embedding is a third of its parameters, that makes the file far heavier per
parameter than the format. The lab shows both numbers.

**k-quants.** llama.cpp's later types (Q2_K … Q6_K) quantize in *super-blocks* of 256 weights: eight
sub-blocks of 32, each with its own scale (and minimum), and those sub-block scales are themselves
stored in 6 bits against one f16 scale per super-block. The overhead of a scale per 32 weights drops to
a few bits per 256, so Q4_K spends 4.5 bits per weight but with a scale *and* a minimum per 32 weights.
The mixes named ${code('Q4_K_M')}, ${code('Q5_K_S')} and so on do not use one type everywhere: they give the tensors that
hurt most when rounded (part of attention's V projection and the feed-forward down projection, and the
output layer) a larger k-quant, which is why a "4-bit" GGUF is usually nearer 4.8 bits per weight
(see llama.cpp's quantize tool documentation, linked below). Our exporter writes the simple 32-blocks: TinyLM's
rows of 96 and 256 values are not multiples of 256.

**GPTQ** (Frantar et al.) rounds one input column of a weight matrix at a time and, after each, moves
the error it just made onto the columns not yet rounded, choosing the correction that least changes
the layer's output on calibration inputs $X$ — the weights are a least-squares problem with Hessian
$H = 2XX^\top$ (the Optimal Brain Quantization update, reorganised so a 175 B-parameter model takes hours,
not months). It changes *which* integers are stored.

**AWQ** (Lin et al.) keeps plain round-to-nearest and changes what is rounded. A few input channels
carry much larger activations than the rest, and the weights multiplying them matter most. AWQ scales
those weight columns up before rounding, $Q(W\,\mathrm{diag}(s))$, and divides the input by $s$ — folded into
the RMSNorm weight or the previous linear layer that produces it, so nothing extra is stored. The paper
sets $s = s_X^{\alpha}$, where $s_X$ is the mean magnitude of each input channel on calibration text;
AutoAWQ's default, which the lab uses, divides by the weights' side too, $s = s_X^{\alpha} / s_W^{1-\alpha}$
($s_W$: each column's mean $\lvert w\rvert$ relative to the largest in its group). $\alpha$ is chosen on a grid over
$[0, 1)$ to minimise the error of the whole block's output (attention for q/k/v, the feed-forward block
for gate/up, the layer itself for down), and plain rounding ($s = 1$) is kept if nothing beats it. A second search then
*clips* each group's weight range where that lowers the output error: the largest weight of a group
sets the step for all 32, so giving up a little accuracy on it buys a finer grid for the others.

The lab quantizes every weight matrix of TinyLM with each format (the Q8_0/Q4_0 bytes are bit for
bit what our GGUF export writes), runs the dequantized model and measures perplexity on held-out text
in the model's own format — stories for tinylm-base, the assistant's replies in ChatML conversations
for tinylm-chat — the KL divergence from the F32 model's next-token distribution, and how often greedy
decoding still picks the same tokens.
`,
  labs: ['quantization'],
  after: String.raw`
**What we measured** (${when.date}, ${when.cpu}; tinylm-base on ${req.evalItems} held-out stories, tinylm-chat on the replies of ${req.evalItems} held-out conversations; AWQ calibrated on ${req.calibItems} training stories or conversations):

${table}

Q8_0 is practically lossless. Q4_0 (${kib(row(base, 'q4_0').bytes)}) costs tinylm-base ${pct(row(base, 'q4_0').pplIncrease)} and agrees with
F32's top token at ${(row(base, 'q4_0').top1Agreement * 100).toFixed(1)} % of positions; a small model has little
redundancy, and its tied embedding doubles as the output layer, so rounding it hurts twice. The int4 rows keep
that embedding in F16, as AutoAWQ and GPTQ do, which is why they are larger (${kib(rtnB.bytes)}).

**AWQ against plain rounding**, same format, same bytes: on tinylm-base ${pct(awqB.pplIncrease)} vs ${pct(rtnB.pplIncrease)} perplexity
(KL ${kl(awqB.klToF32)} vs ${kl(rtnB.klToF32)}); on tinylm-chat ${pct(awqC.pplIncrease)} vs ${pct(rtnC.pplIncrease)} (KL ${kl(awqC.klToF32)} vs ${kl(rtnC.klToF32)}) —
${verdict}. Two things matter. First, calibrate on the
text the model serves: the activation statistics that choose the scales are those of the calibration text, and
tinylm-chat saw stories only as a side dish — its channels behave differently on ChatML. Second, AWQ is two searches,
and both count: the scales alone (before clipping) gave ${pct(soB.pplIncrease)} on base and ${pct(soC.pplIncrease)} on chat
(KL ${kl(soB.klToF32)} and ${kl(soC.klToF32)}); the clipping search then moved perplexity to the figures above. The gains are small because
TinyLM has few outlier channels to protect — AWQ was made for billion-parameter models whose activations have
channels a hundred times larger than the rest. Top-1 agreement with F32 is ${awqB.top1Agreement > rtnB.top1Agreement ? 'better' : 'not better'} for AWQ on base
(${(awqB.top1Agreement * 100).toFixed(1)} % vs ${(rtnB.top1Agreement * 100).toFixed(1)} %): the searches minimise output error, not flips of the top token.

A caution the numbers teach: the chat model's replies are nearly deterministic (perplexity ${row(chat, 'f32').perplexity.toFixed(3)}), so
its perplexity barely moves, and on any text rounding noise can move perplexity either way by chance — NF4 changes base
perplexity by ${pct(row(base, 'nf4').pplIncrease)} with KL ${kl(row(base, 'nf4').klToF32)}, int4 RTN by ${pct(rtnB.pplIncrease)} with KL ${kl(rtnB.klToF32)}. "Perplexity did not rise" is weak evidence on its
own; measure the distance to the original model (KL, agreement) too — llama.cpp's ${code('llama-perplexity --kl-divergence')} does.

**AWQ inside a GGUF file.** Because the scales fold into ordinary weights, AWQ can feed any format: the
"Q4_0 AWQ" row searches the scales and clips with Q4_0 itself as the rounding and is exactly the file the lab's
save button writes. It is ${q4Word(q4aB, q4B)} plain Q4_0 on tinylm-base (${pct(q4aB.pplIncrease)} vs ${pct(q4B.pplIncrease)}, KL ${kl(q4aB.klToF32)} vs ${kl(q4B.klToF32)})
and ${q4Word(q4aC, q4C)} it on tinylm-chat (${pct(q4aC.pplIncrease)} vs ${pct(q4C.pplIncrease)}, KL ${kl(q4aC.klToF32)} vs ${kl(q4C.klToF32)}). The reason is where Q4_0's
error comes from: it also rounds the tied embedding, which is the output layer too, and AWQ has no operation to fold a
scale into there (compare the int4 rows, which keep that matrix in F16 and lose far less). On a large model the
embedding is a small share of the weights and AWQ's gains carry over; on TinyLM they mostly do not.

Our CPU engine multiplies by the dequantized float32 weights, so the decode-speed column is the same
engine for every format (differences are noise from a busy machine); the speed of 4-bit models comes from kernels that
read the packed blocks (llama.cpp, MLC/web-llm's ${code('q4f16')} builds). Every row GGUF can hold has a save button
in the lab: F32, F16, Q8_0, Q4_0 and Q4_0 AWQ — a plain Q4_0 file that any llama.cpp runs, which is how llama.cpp uses AWQ. The project's browser tests load each file in llama.cpp
(wllama): F32 continues a prompt token for token like our engine; for the rounded types llama.cpp also rounds the
activations (to F16, or to 8-bit blocks), which ours does not, so the two agree on most but not always all tokens,
and a decoder of ours that rounds activations the same way matches llama.cpp.
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
      question: 'The int4 g32 format costs 4.625 bits per weight, yet the whole TinyLM file in it averages far more bits per parameter. Why?',
      choices: ['The zero points are stored in 32 bits', 'The norms stay F32 and the embedding (a third of TinyLM’s parameters) is kept in F16', 'GGUF adds padding to every tensor', 'Bits per weight counts only the nonzero weights'],
      answer: 1,
      explanation: 'Bits per weight describes the format over the matrices stored in it; the file also holds what is not quantized. Big models hide this because their embedding is a small share of the parameters.',
    },
    {
      question: 'Which calibration text should AWQ use for a chat model?',
      choices: ['Any English text: activations do not depend on the input', 'Conversations in the chat template the model was trained on and serves', 'The evaluation set, so the metric improves', 'No text: AWQ only looks at the weights'],
      answer: 1,
      explanation: 'The scales come from the activations on the calibration text; they should describe the activations the model will see in use. Calibrating on the evaluation set would be fitting to the test.',
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
    { title: 'llama.cpp — the quantize tool: types, mixes and their sizes', url: 'https://github.com/ggml-org/llama.cpp/blob/master/tools/quantize/README.md' },
    { title: 'AutoAWQ — scale and clip search as implemented for Hugging Face models', url: 'https://github.com/casper-hansen/AutoAWQ' },
  ],
});
