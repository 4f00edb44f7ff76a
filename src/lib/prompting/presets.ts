/**
 * Ready-made tasks for the prompt-engineering labs: questions with expected answers and
 * few-shot examples (with worked reasoning for chain-of-thought), system prompts, and
 * JSON Schemas with a text to extract from.
 */
import type { AnswerFormat, FewShotExample } from './builders';
import { QA_SYSTEM, TOOLS, renderToolCall, renderToolsPrompt } from '../tinylm/corpus/formats';

export interface PromptTask {
  id: string;
  title: string;
  question: string;
  /** the correct answer, for accuracy; '' when there is none */
  expected: string;
  examples: FewShotExample[];
  /** answer format (default 'answer-line'); TinyLM presets use 'plain', the shape it was trained on */
  format?: AnswerFormat;
  /** system prompts A and B this task is meant to compare (else the lab keeps the learner's) */
  systemA?: string;
  systemB?: string;
  /** made for the built-in TinyLM (its trained formats); the others need a GPU or remote model */
  tiny?: boolean;
}

/**
 * Tasks in the formats TinyLM-chat was fine-tuned on (see src/lib/tinylm/corpus/instruct.ts), so
 * the techniques change a measured score even on the built-in model. Their aggregate figures come
 * from `scripts/prompting-tinylm.ts` (tinylm-measured.json); the texts are written for the lab.
 */
export const TINY_PROMPT_TASKS: PromptTask[] = [
  {
    id: 'tiny-tools',
    title: 'TinyLM: call a tool (system prompt lists the tools)',
    question: 'What is the weather in Paris?',
    expected: renderToolCall('get_weather', { city: 'Paris' }),
    examples: [
      { input: 'What time is it in Oslo?', output: renderToolCall('get_time', { city: 'Oslo' }), reasoning: 'The user wants the time in a city, so call get_time.' },
      { input: 'Set a timer for 5 minutes.', output: renderToolCall('set_timer', { minutes: 5 }), reasoning: 'The user wants a timer, so call set_timer.' },
    ],
    format: 'plain',
    systemA: 'You are a helpful assistant.',
    systemB: renderToolsPrompt(TOOLS),
    tiny: true,
  },
];

export const PROMPT_TASKS: PromptTask[] = [
  ...TINY_PROMPT_TASKS,
  {
    id: 'arithmetic',
    title: 'Word problem (multi-step arithmetic)',
    question: 'A café has 23 muffins, sells 20 and bakes 6. How many now?',
    expected: '9',
    examples: [
      { input: 'Tom has 5 marbles and buys 3 bags of 4. How many now?', output: '17', reasoning: '3 * 4 = 12, 5 + 12 = 17.' },
      { input: 'A shelf has 40 books; 15 leave and 8 return. How many now?', output: '33', reasoning: '40 - 15 = 25, 25 + 8 = 33.' },
    ],
  },
  {
    id: 'sentiment',
    title: 'Sentiment (classification)',
    question: 'Review: "Late, and the box was crushed." Positive, negative or neutral?',
    expected: 'negative',
    examples: [
      { input: 'Review: "The screen is gorgeous." Positive, negative or neutral?', output: 'positive', reasoning: 'It praises the screen.' },
      { input: 'Review: "Broke after a week." Positive, negative or neutral?', output: 'negative', reasoning: 'A broken product is a complaint.' },
    ],
  },
  {
    id: 'letters',
    title: 'Counting letters (tokenization trap)',
    question: 'How many times does the letter "r" appear in "strawberry"?',
    expected: '3',
    examples: [
      { input: 'How many times does the letter "s" appear in "mississippi"?', output: '4', reasoning: 'm-i-s-s-i-s-s-i-p-p-i: s at 3, 4, 6, 7.' },
      { input: 'How many times does the letter "e" appear in "excellence"?', output: '4', reasoning: 'e-x-c-e-l-l-e-n-c-e: e at 1, 4, 7, 10.' },
    ],
  },
];

export interface SystemPromptPreset {
  id: string;
  label: string;
  text: string;
}

export const SYSTEM_PROMPTS: SystemPromptPreset[] = [
  { id: 'none', label: 'No system prompt', text: '' },
  { id: 'assistant', label: 'Helpful assistant', text: 'You are a helpful assistant.' },
  { id: 'terse', label: 'Terse expert', text: 'You are a precise expert. Follow the requested output format exactly and never add commentary.' },
  { id: 'careful', label: 'Careful reasoner', text: 'Check every step before you answer.' },
  { id: 'pirate', label: 'Pirate (persona)', text: 'You are a pirate. Always talk like a pirate, whatever you are asked.' },
  { id: 'tiny-qa', label: 'TinyLM: answer from the context', text: QA_SYSTEM },
  { id: 'tiny-tools', label: 'TinyLM: the tool list it was trained on', text: renderToolsPrompt(TOOLS) },
];

export interface SchemaPreset {
  id: string;
  title: string;
  /** the instruction and text the model extracts from */
  task: string;
  schema: Record<string, unknown>;
  /** sampling temperature the preset is meant for (else the lab keeps the learner's) */
  temperature?: number;
  /** made for the built-in TinyLM */
  tiny?: boolean;
}

export const SCHEMA_PRESETS: SchemaPreset[] = [
  {
    // TinyLM-chat's trained JSON format ("Return JSON with the keys …" + "Text: …"), so free
    // decoding, retries and constrained decoding all give measurable rates on the built-in model.
    id: 'tiny-person',
    title: 'TinyLM: keys from a short text (its trained format)',
    task: 'Return JSON with the keys "name" (string), "age" (number), "city" (string).\nText: Dormi is 58 years old. Dormi lives in Oslo.',
    schema: {
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 20 },
        age: { type: 'integer', minimum: 0, maximum: 120 },
        city: { type: 'string', minLength: 1, maxLength: 20 },
      },
      required: ['name', 'age', 'city'],
      additionalProperties: false,
    },
    // In its own format TinyLM is valid ~98 % of the time at 0.7; at 1.3 enough replies break to
    // watch retries and constrained decoding work (tinylm-measured.json has both).
    temperature: 1.3,
    tiny: true,
  },
  {
    id: 'person',
    title: 'Extract a person',
    task: 'Extract the person described here: "Ada Lovelace, born in London in 1815, was a mathematician who wrote the first published computer program."',
    schema: {
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1 },
        birthYear: { type: 'integer', minimum: 0, maximum: 2100 },
        city: { type: 'string' },
        occupation: { type: 'string' },
      },
      required: ['name', 'birthYear', 'city', 'occupation'],
      additionalProperties: false,
    },
  },
  {
    id: 'sentiment',
    title: 'Classify with a confidence',
    task: 'Classify the sentiment of this review: "The delivery was two weeks late and the box arrived crushed."',
    schema: {
      type: 'object',
      properties: {
        sentiment: { enum: ['positive', 'negative', 'neutral'] },
        confidence: { type: 'number', minimum: 0, maximum: 1 },
      },
      required: ['sentiment', 'confidence'],
      additionalProperties: false,
    },
  },
  {
    id: 'todos',
    title: 'A list of tasks',
    task: 'Turn this note into a task list: "Call the plumber tomorrow (urgent), buy milk, and send the report to Sam by Friday."',
    schema: {
      type: 'object',
      properties: {
        tasks: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            properties: {
              title: { type: 'string', minLength: 1 },
              due: { type: ['string', 'null'] },
              priority: { enum: ['low', 'normal', 'high'] },
            },
            required: ['title', 'due', 'priority'],
            additionalProperties: false,
          },
        },
      },
      required: ['tasks'],
      additionalProperties: false,
    },
  },
];
