import { defineLessonPart } from '../../types';

/** Inline code in the Markdown (a backtick cannot be written inside String.raw). */
const code = (s: string) => '`' + s + '`';
import results from './results.json';

// Every figure below comes from `npm run finetune:measure` (results.json); none is typed by hand.
const run = Object.fromEntries(results.runs.map((r) => [r.method, r])) as Record<'full' | 'lora' | 'qlora', (typeof results.runs)[number]>;
const pct = (x: number) => `${Math.round(100 * x)} %`;
const n = (x: number) => x.toLocaleString('en');
const kb = (b: number) => `${(b / 1e3).toFixed(0)} kB`;
const diff = (d: number) => `${Math.abs(d).toFixed(3)} nats ${d <= 0 ? 'below' : 'above'}`;
const q = Object.fromEntries(results.quant.rows.map((r) => [r.type, r]));

export default defineLessonPart({
  topic: '2.2',
  order: 10,
  title: 'Full fine-tuning, LoRA and QLoRA',
  body: String.raw`
**Supervised fine-tuning (SFT)** continues training a pretrained model on examples of the behaviour you
want — here, prompt → reply pairs in the chat template, with the loss on the reply tokens only. The
question is *which* weights to change.

- **Full fine-tuning** updates every weight. AdamW keeps two moments per weight, so training holds
  the weights, their gradients and 8 more bytes per parameter: for a 7 B model in 16-bit that is far
  more memory than inference needs.
- **Parameter-efficient fine-tuning (PEFT)** freezes the pretrained weights and trains a few new ones.
  The most used is **LoRA** (Hu et al., 2021): next to a frozen linear layer $W \in \mathbb{R}^{d_\text{out}\times d_\text{in}}$ it
  learns a low-rank update
  $$h = W x + \tfrac{\alpha}{r}\, B A x,\qquad A \in \mathbb{R}^{r\times d_\text{in}},\; B \in \mathbb{R}^{d_\text{out}\times r},\; r \ll d .$$
  $A$ starts random (PEFT: Kaiming-uniform), $B$ starts at **zero**, so at step 0 the model is exactly the
  base model. Only $r(d_\text{in}+d_\text{out})$ numbers per layer train; the base gets no gradient and no optimizer
  state. After training, $W + \tfrac{\alpha}{r}BA$ can be **merged** into one matrix: no extra cost at inference.
  rsLoRA scales by $\alpha/\sqrt r$ instead, so higher ranks do not shrink the update.
- **QLoRA** (Dettmers et al., 2023) stores the frozen base in 4 bits — **NF4**, 16 values placed at the
  quantiles of a normal distribution, one f32 scale per block of 64 weights (4.5 bits per weight), or
  ${q['nf4+dq'].bits} bits with **double quantization** (the scales themselves quantized to 8 bits in blocks of
  256) — dequantizes each block when the forward pass needs it, and trains LoRA adapters in 16/32-bit on top.

Why does a rank-8 update suffice? Fine-tuning mostly *re-weights* what the model already computes;
the weight change it needs has low "intrinsic rank" (Aghajanyan et al., 2020). Here the chat model
already copies answers out of a text and already writes JSON — it has just never combined the two.

**The task.** The system prompt says ${code("Reply with JSON: {\"answer\": ...}")}; a program checks that the
reply parses as JSON with exactly the key ${code("answer")} and that its value is the right span. The shipped
chat model scores **${pct(results.task.before.exact)}** on ${results.task.before.n} held-out prompts (it replies with the bare answer,
e.g. ${code(results.task.before.samples[0].got)}). Each method below trains ${run.lora.steps} steps of 4 × 112 tokens on
${n(results.task.splits.train)} generated examples.
`,
  labs: ['finetune'],
  after: String.raw`
**Measured** (same data, seed and steps; LoRA r = ${results.lora.r}, alpha ${results.lora.alpha} on all seven linear layers of each block):

| method | trainable parameters | AdamW state | CPU ms/step | held-out loss | held-out score |
|---|---|---|---|---|---|
| full fine-tuning | ${n(run.full.memory.trainable)} | ${kb(run.full.memory.optimizerBytes)} | ${run.full.stepMs} | ${run.full.valLoss.toFixed(3)} | ${pct(run.full.score.exact)} |
| LoRA | ${n(run.lora.memory.trainable)} (${pct(results.bars.loraParamFraction)}) | ${kb(run.lora.memory.optimizerBytes)} | ${run.lora.stepMs} | ${run.lora.valLoss.toFixed(3)} | ${pct(run.lora.score.exact)} |
| QLoRA (NF4 + double quant) | ${n(run.qlora.memory.trainable)} | ${kb(run.qlora.memory.optimizerBytes)} | ${run.qlora.stepMs} | ${run.qlora.valLoss.toFixed(3)} | ${pct(run.qlora.score.exact)} |

A LoRA step takes ${pct(run.lora.stepMs / run.full.stepMs)} of a full fine-tuning step here, not a tenth: the frozen model still
runs its whole forward pass and its backward pass through the activations (the adapters of the first
layer need the gradient from the last), and only the weight gradients and the optimizer step shrink.
On billion-parameter models the saving that matters is memory — gradients and optimizer state for a
fraction of a percent of the weights — which is what lets QLoRA train on one GPU.

LoRA's held-out loss ends ${diff(results.bars.loraMinusFull)} full fine-tuning's with a tenth of the trainable parameters, and
QLoRA's ${diff(results.bars.qloraMinusLora)} LoRA's: on a narrow task, a low-rank update on a 4-bit base is enough. The QLoRA base weighs ${kb(run.qlora.memory.baseBytes)} instead of ${kb(run.full.memory.baseBytes)} (the embeddings stay f32 here).
On TinyLM's linear weights NF4's relative error is ${q.nf4.relRmse} (block 64), next to ggml's Q4_0 ${q.q4_0.relRmse}
(block 32, same 4.5 bits), symmetric absmax int4 (±7, block 64) ${q.int4.relRmse} and Q8_0 ${q.q8_0.relRmse}.

What full fine-tuning buys is capacity — for a big shift (a new language, a new domain's knowledge)
the low-rank update can fall short — and what it costs is memory and a full copy of the model per task.
An adapter is a few hundred kilobytes: save several, swap them over one base. The lab saves each
finished adapter in this browser and exports it as a Hugging Face PEFT folder
(${code("adapter_config.json")} + ${code("adapter_model.safetensors")}, keys like
${code("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight")}), and the merged model as safetensors
or a GGUF file for llama.cpp. Those folders were checked against PEFT itself: loaded with
${code("PeftModel.from_pretrained")} on transformers' ${code("LlamaForCausalLM")} (this lab's checkpoint loads there as is),
they give the same logits as this page, to five decimal places.
`,
  quiz: [
    {
      question: 'LoRA initialises B to zero. What does that guarantee?',
      choices: ['Faster convergence', 'At step 0 the adapted model computes exactly what the base model does', 'That A stays small', 'That the adapter can be merged'],
      answer: 1,
      explanation: 'With B = 0 the update (α/r)·B·A is exactly zero, so training starts from the base model; A is random so gradients for B are not zero.',
    },
    {
      question: 'A layer is 96 → 256. How many parameters does a rank-8 LoRA adapter on it train?',
      choices: ['8 · 96 · 256', '8 · (96 + 256) = 2,816', '96 · 256 / 8', '8'],
      answer: 1,
      explanation: 'A is r × d_in and B is d_out × r: r · (d_in + d_out).',
    },
    {
      question: 'What does double quantization save in QLoRA?',
      choices: ['Activation memory', 'The 32-bit scale per 64-weight block, now 8 bits (≈ 0.37 bit per weight)', 'Optimizer state', 'The adapter’s memory'],
      answer: 1,
      explanation: '4 + 32/64 = 4.5 bits per weight becomes 4 + 8/64 + 32/(64·256) ≈ 4.127.',
    },
    {
      question: 'Why is LoRA training not 10× faster than full fine-tuning when it trains 10 % of the parameters?',
      choices: ['It is', 'The forward and the backward through the activations still run over the whole frozen model', 'AdamW is slower for small tensors', 'Merging takes time'],
      answer: 1,
      explanation: 'Only the weight-gradient products and the optimizer step shrink; gradients still flow back through every frozen layer to reach earlier adapters.',
    },
  ],
  resources: [
    { title: 'Hu et al. — LoRA: Low-Rank Adaptation of Large Language Models', url: 'https://arxiv.org/abs/2106.09685' },
    { title: 'Dettmers et al. — QLoRA: Efficient Finetuning of Quantized LLMs', url: 'https://arxiv.org/abs/2305.14314' },
    { title: 'Kalajdzievski — rsLoRA: A Rank Stabilization Scaling Factor', url: 'https://arxiv.org/abs/2312.03732' },
    { title: 'Aghajanyan et al. — Intrinsic dimensionality explains fine-tuning', url: 'https://arxiv.org/abs/2012.13255' },
    { title: 'Hugging Face PEFT — LoRA', url: 'https://huggingface.co/docs/peft/main/en/conceptual_guides/lora' },
  ],
});
