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
