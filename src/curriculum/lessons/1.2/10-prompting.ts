import { defineLessonPart } from '../../types';

/** '§' stands for a backtick (a backtick would end the String.raw template). */
const md = (s: string): string => s.replaceAll('§', '`');

export default defineLessonPart({
  topic: '1.2',
  order: 10,
  title: 'Prompts are programs: zero-shot, few-shot, chain-of-thought, system prompts',
  body: md(String.raw`
A chat model only ever sees one thing: a list of messages, rendered through its chat template into
a single token sequence, and it predicts the next token. **Prompt engineering** is choosing that
list so the most likely continuation is the answer you want, in the form you can use.

**Zero-shot** prompting states the task and nothing else. It works when the task and its output
format are common in the model's training data ("translate to French"). When the format matters —
one word, a number, a label from a fixed set — the model has to guess it.

**Few-shot** prompting shows solved examples first. In a chat API the natural way is to write them as
earlier turns: a §user§ message with an example question, an §assistant§ message with the answer in
exactly the format you want, repeated two to five times, then the real question. The model continues
the pattern: few-shot mostly fixes *format and label space* and only sometimes improves the reasoning
itself (Brown et al., 2020). Choose examples that cover the labels evenly and resemble the real inputs;
the order and balance of examples measurably shift the answers.

**Chain-of-thought (CoT)** asks the model to write its reasoning before the answer. Each generated
token is a little more computation conditioned on what came before, so a model that writes
"23 − 20 = 3, 3 + 6 = 9" has a much easier last step than one that must emit "9" immediately. Two ways:
*zero-shot CoT* adds "Let's think step by step" (Kojima et al., 2022); *few-shot CoT* shows examples
whose answers include worked reasoning (Wei et al., 2022). CoT helps on multi-step problems and on
models large enough to reason at all; it costs tokens and latency, and it can hurt on simple lookups.
Always ask for the final answer on a fixed last line (here: §Answer: …§) so code can extract it.

The **system prompt** is the first message, with role §system§. It sets persona, rules and output
format for the whole conversation, and instruction-tuned models are trained to give it priority over
later user text (but it is not a security boundary: a user message can still talk the model out of it).

**Sampling noise and seeds.** With temperature > 0 one run proves little. Run each variant several
times with *fixed seeds* — seed $i$ for run $i$, the same seeds for every variant — so a difference
between variants comes from the prompt, not from luck, and anyone can reproduce it. Then measure:

- **agreement**: the share of runs giving the most common answer; the majority vote over runs is
  *self-consistency* (Wang et al., 2022), a cheap way to turn N noisy runs into one better answer;
- **entropy** of the answer distribution, $H = -\sum_a p_a \log_2 p_a$ bits, 0 when every run agrees;
- **accuracy** against the known answer, when there is one.

The lab builds each variant's messages (open "The exact messages sent" to see them), runs every variant
N times with the same seeds, extracts the line after §Answer:§ and computes these numbers. Try the
word problem with temperature 0.7 and 5 runs: compare zero-shot with few-shot CoT, then change
system prompt B to the pirate and see what a persona does to the answer format.

**What model?** The built-in TinyLM (well under a million parameters, a 256-token context) runs anywhere but cannot follow
free-form instructions. The lab opens on a task in a format it *was* trained on — calling a tool — where
the system prompt is everything: with the tool list it was fine-tuned on, it calls the tool exactly;
without it, it guesses (the lab shows both, measured over many questions). Few-shot examples help it
only a little and "think step by step" breaks it: in-context learning and reasoning come with scale.
Pick a WebLLM instruction model (Qwen2.5 1.5B or Llama 3.2 3B) or a remote endpoint on the Models page
for the general tasks, where few-shot and chain-of-thought change the results. The [chat playground](#/chat) is the place
to try prompts interactively, with every sampling parameter, the token probabilities and the stats of
each reply.
`),
  labs: ['prompting'],
  quiz: [
    {
      question: 'Few-shot examples given as earlier user/assistant turns mostly help the model with…',
      choices: ['the output format and the set of possible labels', 'facts it never saw in training', 'a longer context window', 'running faster'],
      answer: 0,
      explanation: 'The model continues the pattern it sees: examples pin down the format and label space. They cannot add knowledge or change the context window.',
    },
    {
      question: 'Why does chain-of-thought help on multi-step arithmetic?',
      choices: [
        'Each written step is extra computation the final answer can condition on',
        'It turns off sampling',
        'It makes the prompt shorter',
        'The system prompt is ignored',
      ],
      answer: 0,
      explanation: 'A transformer does a fixed amount of computation per token. Writing intermediate results spreads the work over many tokens, so the last step is easy.',
    },
    {
      question: 'You compare two prompts with 5 runs each at temperature 0.8. What makes the comparison fair?',
      choices: ['Using the same seeds for both prompts', 'Using temperature 2', 'Running each prompt once', 'Removing the system prompt'],
      answer: 0,
      explanation: 'With the same seeds the random draws line up, so a difference comes from the prompt rather than from sampling luck — and the whole comparison can be reproduced.',
    },
    {
      question: 'Five runs answer 9, 9, 3, 9, 29. What are the agreement and the self-consistency answer?',
      choices: ['60 %, 9', '20 %, 29', '100 %, 9', '60 %, 3'],
      answer: 0,
      explanation: '9 appears in 3 of 5 runs (60 %) and wins the majority vote.',
    },
  ],
  resources: [
    { title: 'Maxime Labonne — LLM course (prompt engineering)', url: 'https://github.com/mlabonne/llm-course' },
    { title: 'DeepLearning.AI — ChatGPT Prompt Engineering for Developers', url: 'https://www.deeplearning.ai/short-courses/chatgpt-prompt-engineering-for-developers/' },
    { title: 'Brown et al. 2020 — Language Models are Few-Shot Learners', url: 'https://arxiv.org/abs/2005.14165' },
    { title: 'Wei et al. 2022 — Chain-of-Thought Prompting Elicits Reasoning', url: 'https://arxiv.org/abs/2201.11903' },
    { title: 'Kojima et al. 2022 — Large Language Models are Zero-Shot Reasoners', url: 'https://arxiv.org/abs/2205.11916' },
    { title: 'Wang et al. 2022 — Self-Consistency Improves Chain of Thought Reasoning', url: 'https://arxiv.org/abs/2203.11171' },
  ],
});
