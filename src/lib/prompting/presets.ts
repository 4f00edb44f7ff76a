/**
 * Ready-made tasks for the prompt-engineering labs: questions with expected answers and
 * few-shot examples (with worked reasoning for chain-of-thought), system prompts, and
 * JSON Schemas with a text to extract from.
 */
import type { FewShotExample } from './builders';

export interface PromptTask {
  id: string;
  title: string;
  question: string;
  /** the correct answer, for accuracy; '' when there is none */
  expected: string;
  examples: FewShotExample[];
}

export const PROMPT_TASKS: PromptTask[] = [
  {
    id: 'sentiment',
    title: 'Sentiment (classification)',
    question: 'Review: "The delivery was two weeks late and the box arrived crushed." Is this review positive, negative or neutral?',
    expected: 'negative',
    examples: [
      { input: 'Review: "Battery lasts all day and the screen is gorgeous." Is this review positive, negative or neutral?', output: 'positive', reasoning: 'It praises the battery and the screen, with no complaint.' },
      { input: 'Review: "It arrived on Tuesday." Is this review positive, negative or neutral?', output: 'neutral', reasoning: 'It only states a fact and expresses no feeling.' },
      { input: 'Review: "Stopped working after a week, and support never replied." Is this review positive, negative or neutral?', output: 'negative', reasoning: 'A broken product and no support are complaints.' },
    ],
  },
  {
    id: 'arithmetic',
    title: 'Word problem (multi-step arithmetic)',
    question: 'A café has 23 muffins. It sells 20 in the morning and bakes 6 more at noon. How many muffins does it have now?',
    expected: '9',
    examples: [
      { input: 'Tom has 5 marbles. He buys 3 bags with 4 marbles each. How many marbles does he have?', output: '17', reasoning: '3 bags of 4 is 12 marbles. 5 + 12 = 17.' },
      { input: 'A shelf holds 40 books. 15 are lent out and 8 are returned. How many books are on the shelf?', output: '33', reasoning: 'After lending: 40 - 15 = 25. After returns: 25 + 8 = 33.' },
    ],
  },
  {
    id: 'letters',
    title: 'Counting letters (tokenization trap)',
    question: 'How many times does the letter "r" appear in the word "strawberry"?',
    expected: '3',
    examples: [
      { input: 'How many times does the letter "s" appear in the word "mississippi"?', output: '4', reasoning: 'Spell it: m-i-s-s-i-s-s-i-p-p-i. The s letters are at positions 3, 4, 6 and 7: 4.' },
      { input: 'How many times does the letter "e" appear in the word "excellence"?', output: '4', reasoning: 'Spell it: e-x-c-e-l-l-e-n-c-e. The e letters are at positions 1, 4, 7 and 10: 4.' },
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
  { id: 'careful', label: 'Careful reasoner', text: 'You are a careful problem solver. Check every step of your work before giving the final answer.' },
  { id: 'pirate', label: 'Pirate (persona)', text: 'You are a pirate. Always talk like a pirate, whatever you are asked.' },
];

export interface SchemaPreset {
  id: string;
  title: string;
  /** the instruction and text the model extracts from */
  task: string;
  schema: Record<string, unknown>;
}

export const SCHEMA_PRESETS: SchemaPreset[] = [
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
