/**
 * SFT-vs-preference-tuned model pairs from web-llm's prebuilt catalogue, and prompts that tend
 * to show the difference, for the side-by-side comparison under the DPO lab (GpuCompare.svelte).
 * The ids must exist in the installed web-llm's catalogue (checked by a unit test).
 */

export interface ModelPair {
  id: string;
  label: string;
  /** The supervised fine-tuned model (the "before"). */
  sft: string;
  /** The same line of models after preference tuning (the "after"). */
  dpo: string;
  /** What separates the two, honestly (one or two sentences, Markdown). */
  about: string;
  /** Model cards, for the learner to check the claims. */
  links: Array<{ title: string; url: string }>;
}

export const GPU_PAIRS: readonly ModelPair[] = [
  {
    id: 'hermes',
    label: 'OpenHermes-2.5 vs NeuralHermes-2.5 (Mistral 7B)',
    sft: 'OpenHermes-2.5-Mistral-7B-q4f16_1-MLC',
    dpo: 'NeuralHermes-2.5-Mistral-7B-q4f16_1-MLC',
    about:
      'NeuralHermes is OpenHermes 2.5 with one more stage: DPO with a LoRA adapter on Intel/orca_dpo_pairs in ChatML, where a GPT-4 or GPT-3.5 reply is *chosen* over a Llama-2-13B-chat reply. Same base, same SFT: the only difference is the preference step.',
    links: [
      { title: 'NeuralHermes-2.5 model card', url: 'https://huggingface.co/mlabonne/NeuralHermes-2.5-Mistral-7B' },
      { title: 'OpenHermes-2.5 model card', url: 'https://huggingface.co/teknium/OpenHermes-2.5-Mistral-7B' },
    ],
  },
  {
    id: 'tinyllama',
    label: 'TinyLlama Chat v0.4 vs v1.0 (1.1B, no shader-f16 needed)',
    sft: 'TinyLlama-1.1B-Chat-v0.4-q4f32_1-MLC',
    dpo: 'TinyLlama-1.1B-Chat-v1.0-q4f32_1-MLC',
    about:
      'v0.4 was trained by supervised fine-tuning only (OpenAssistant conversations); v1.0 follows the Zephyr recipe: SFT on UltraChat, then DPO on UltraFeedback. Not a clean pair: v1.0 also starts from a later pre-training checkpoint and other SFT data, so part of any difference is not the DPO step.',
    links: [
      { title: 'TinyLlama Chat v1.0 model card', url: 'https://huggingface.co/TinyLlama/TinyLlama-1.1B-Chat-v1.0' },
      { title: 'TinyLlama Chat v0.4 model card', url: 'https://huggingface.co/TinyLlama/TinyLlama-1.1B-Chat-v0.4' },
    ],
  },
];

export interface ComparePreset {
  id: string;
  label: string;
  prompt: string;
  /** What to look for in the two replies. */
  lookFor: string;
}

export const COMPARE_PRESETS: readonly ComparePreset[] = [
  {
    id: 'grounded',
    label: 'Context lacks the answer',
    prompt: "Context: Tomas is a carpenter who lives in Bergen. He has two dogs and a red bicycle.\nQuestion: What is Tomas's favourite food? If the context does not say, reply: The context does not say.",
    lookFor: 'The behaviour the TinyLM lab above aligns: does each model abstain, or invent a food?',
  },
  {
    id: 'reasoning',
    label: 'Trick question',
    prompt: 'A bat and a ball cost $1.10 in total. The bat costs $1.00 more than the ball. How much does the ball cost? Explain your reasoning.',
    lookFor: 'Orca-style preference data rewards step-by-step explanations: compare the reasoning, not only the number (the right answer is 5 cents).',
  },
  {
    id: 'format',
    label: 'Exact format',
    prompt: 'Give exactly three tips for learning to cook, as a numbered list, with no introduction and no closing sentence.',
    lookFor: 'Instruction following: exactly three items, nothing before or after.',
  },
  {
    id: 'unknowable',
    label: 'Unknowable fact',
    prompt: 'Who won the 2031 football World Cup, and what was the score in the final?',
    lookFor: 'Honesty: the event is after both models were trained. Does either one make up a winner?',
  },
];
