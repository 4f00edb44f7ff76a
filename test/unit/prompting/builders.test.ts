import { describe, expect, it } from 'vitest';
import { buildMessages, extractAnswer, variantLabel, COT_INSTRUCTION, DIRECT_INSTRUCTION } from '../../../src/lib/prompting/builders';
import { PROMPT_TASKS } from '../../../src/lib/prompting/presets';

const task = PROMPT_TASKS.find((t) => t.id === 'arithmetic')!;

describe('buildMessages', () => {
  it('zero-shot: system + one user message with the direct instruction', () => {
    const m = buildMessages({ system: 'Be brief.', question: 'What is 2+2?', examples: [], cot: 'none' });
    expect(m).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: `What is 2+2?\n\n${DIRECT_INSTRUCTION}` },
    ]);
  });

  it('omits an empty system prompt', () => {
    const m = buildMessages({ system: '  ', question: 'Q', examples: [], cot: 'none' });
    expect(m.map((x) => x.role)).toEqual(['user']);
  });

  it('few-shot as messages: alternating user/assistant turns before the question', () => {
    const m = buildMessages({ system: '', question: task.question, examples: task.examples, cot: 'none' });
    expect(m.map((x) => x.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
    expect(m[1].content).toBe('Answer: 17');
    expect(m[4].content).toContain(task.question);
  });

  it('few-shot CoT puts the worked reasoning before the answer; zero-shot CoT only changes the instruction', () => {
    const few = buildMessages({ system: '', question: task.question, examples: task.examples, cot: 'few-shot' });
    expect(few[1].content).toBe('3 * 4 = 12, 5 + 12 = 17.\nAnswer: 17');
    expect(few[0].content).toBe(task.examples[0].input);
    expect(few.at(-1)!.content).toContain(COT_INSTRUCTION);
    const zero = buildMessages({ system: '', question: task.question, examples: [], cot: 'zero-shot' });
    expect(zero).toHaveLength(1);
    expect(zero[0].content).toContain('Think step by step');
  });

  it('inline style packs examples and question into one user message', () => {
    const m = buildMessages({ system: 'S', question: 'Q?', examples: [{ input: 'A?', output: 'a' }], cot: 'none', exampleStyle: 'inline' });
    expect(m).toHaveLength(2);
    expect(m[1].content).toBe(`Here are some solved examples.\n\nQuestion: A?\nAnswer: a\n\nNow the real question.\n\nQuestion: Q?\n\n${DIRECT_INSTRUCTION}`);
  });

  it('skips half-filled examples and labels variants', () => {
    const ex = [{ input: 'x', output: '' }, { input: 'y', output: 'z' }];
    expect(buildMessages({ system: '', question: 'Q', examples: ex, cot: 'none' })).toHaveLength(3);
    expect(variantLabel({ examples: ex, cot: 'zero-shot' })).toBe('few-shot (1) · step by step');
    expect(variantLabel({ examples: [], cot: 'none' })).toBe('zero-shot');
  });
});

describe('extractAnswer', () => {
  it.each([
    ['Answer: 9', '9'],
    ['23 - 20 = 3. 3 + 6 = 9.\nAnswer: **9**.', '9'],
    ['answer: first\nmore thinking\nANSWER: second', 'second'],
    ['Negative', 'Negative'],
    ['Let me think.\n\nThe review is negative.', 'The review is negative'],
    ['', ''],
    ['Answer:\n', 'Answer:'],
  ])('%j → %j', (reply, want) => {
    expect(extractAnswer(reply)).toBe(want);
  });
});

describe('extractAnswer keeps underscores inside words', () => {
  it('shows a tool call as written (get_weather, <tool_call>), still dropping emphasis', () => {
    const call = '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>';
    expect(extractAnswer(call)).toBe(call);
    expect(extractAnswer('Answer: **_9_**')).toBe('9');
  });
});

describe("the 'plain' format (a small model's own shape)", () => {
  it('adds no instruction and shows examples as bare answers', () => {
    const m = buildMessages({ system: '', question: 'What is the weather in Paris?', examples: [{ input: 'Time in Oslo?', output: 'CALL', reasoning: 'why' }], cot: 'none', format: 'plain' });
    expect(m).toEqual([
      { role: 'user', content: 'Time in Oslo?' },
      { role: 'assistant', content: 'CALL' },
      { role: 'user', content: 'What is the weather in Paris?' },
    ]);
    const cot = buildMessages({ system: 's', question: 'Q', examples: [], cot: 'zero-shot', format: 'plain' });
    expect(cot.at(-1)!.content).toBe('Q\n\nThink step by step.');
  });
});
