import { defineLessonPart } from '../../types';

export default defineLessonPart({
  topic: '2.3',
  order: 15,
  title: 'The same step on a 7B model: OpenHermes vs NeuralHermes',
  body: String.raw`
The lab above is DPO at toy scale on one behaviour a program can judge. The plan's course shows the same
step on a real assistant: in [Fine-tune a Mistral-7b model with Direct Preference Optimization](https://mlabonne.github.io/blog/posts/Fine_tune_Mistral_7b_with_DPO.html),
Maxime Labonne starts from **OpenHermes-2.5-Mistral-7B** (Mistral 7B after supervised fine-tuning on
about a million synthetic, mostly GPT-4-written conversations) and trains it with TRL's ${'`DPOTrainer`'} and a
LoRA adapter on Intel's orca_dpo_pairs, put in ChatML. In those pairs the *chosen* reply came from GPT-4 or
GPT-3.5 and the *rejected* one from Llama-2-13B-chat. The result is
[**NeuralHermes-2.5-Mistral-7B**](https://huggingface.co/mlabonne/NeuralHermes-2.5-Mistral-7B). It is the recipe of
the lab: the SFT model is the frozen reference, the loss is the one above, and the metrics are the same
${'`rewards/*`'} and ${'`logps/*`'} — only the pairs come from stronger models instead of a program, and nobody
can check every reply the way our checker does.

**Try it where your browser has WebGPU.** The last section of the lab, *SFT vs DPO on your GPU*, sends one
prompt, with the same seed, temperature and token limit, to both models through web-llm (4-bit weights; the
sizes are shown there, downloaded once and kept for offline use). The two run one after the other, since
two 7B models rarely fit in a browser's GPU memory together. The Hermes pair needs the ${'`shader-f16`'} GPU feature;
without it the section offers TinyLlama Chat v0.4 (SFT only) against v1.0 (SFT, then DPO on UltraFeedback,
following Zephyr's recipe). That pair is less clean: v1.0 also starts from a later pre-training checkpoint,
so not all of its difference comes from the DPO step. Without WebGPU the section says so and stays
empty; everything above runs on the CPU.

**What to look for, and what not to conclude.** Preference pairs where a stronger model wrote the chosen reply
teach style as much as substance: expect the tuned model to be more structured and more step by step,
and often longer. Longer is not better: DPO tends to lengthen replies well beyond the length gap in its
data ([Park et al., 2024](https://arxiv.org/abs/2403.19159)), and a judge (human or model) that likes long
answers is fooled the same way, which is why [length-controlled AlpacaEval](https://arxiv.org/abs/2404.04475)
corrects for reply length. One prompt is an anecdote: change the
seed and temperature, try each preset, and judge what the replies say, not how much they say.
`,
  quiz: [
    {
      question: 'Suppose NeuralHermes writes longer replies than OpenHermes on most of your prompts. What does that show on its own?',
      choices: [
        'NeuralHermes is the better model',
        'Little by itself: DPO on pairs whose chosen replies tend to be longer rewards length too, so compare what the replies say',
        'The DPO run failed',
        'The models were sampled with different seeds',
      ],
      answer: 1,
      explanation: 'Preference data often favours longer, more detailed replies, and DPO tends to amplify that; a longer reply can be better or just longer. Length-controlled judges exist for this reason.',
    },
  ],
  resources: [
    { title: 'NeuralHermes-2.5-Mistral-7B model card', url: 'https://huggingface.co/mlabonne/NeuralHermes-2.5-Mistral-7B' },
    { title: 'OpenHermes-2.5-Mistral-7B model card', url: 'https://huggingface.co/teknium/OpenHermes-2.5-Mistral-7B' },
    { title: 'Park et al. — Disentangling Length from Quality in DPO', url: 'https://arxiv.org/abs/2403.19159' },
    { title: 'Dubois et al. — Length-Controlled AlpacaEval', url: 'https://arxiv.org/abs/2404.04475' },
  ],
});
