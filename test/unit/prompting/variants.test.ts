import { describe, expect, it } from 'vitest';
import { tasksDemonstrated, variantMessages, variantSpec, VARIANT_IDS } from '../../../src/lib/prompting/variants';

const input = { question: 'Q?', examples: [{ input: 'A?', output: 'a', reasoning: 'because' }], systemA: 'Sys A', systemB: 'Sys B' };

describe('variants', () => {
  it('each variant builds the intended prompt', () => {
    expect(variantMessages('zero', input).map((m) => m.role)).toEqual(['system', 'user']);
    expect(variantMessages('few', input).map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(variantMessages('few-cot', input)[2].content).toBe('because\nAnswer: a');
    expect(variantMessages('few', input)[2].content).toBe('Answer: a');
    expect(String(variantMessages('zero-cot', input)[1].content)).toContain('Think step by step');
    expect(variantMessages('system-b', input)[0]).toEqual({ role: 'system', content: 'Sys B' });
    expect(variantSpec('system-b', input).examples).toEqual([]);
  });

  it('all variants differ from each other', () => {
    const texts = VARIANT_IDS.map((id) => JSON.stringify(variantMessages(id, input)));
    expect(new Set(texts).size).toBe(VARIANT_IDS.length);
  });

  it('tasks ticked by what was run', () => {
    expect(tasksDemonstrated(['zero'])).toEqual({ '1.2.a': false, '1.2.b': false });
    expect(tasksDemonstrated(['zero', 'few'])).toEqual({ '1.2.a': true, '1.2.b': false });
    expect(tasksDemonstrated(['zero-cot', 'system-b'])).toEqual({ '1.2.a': false, '1.2.b': true });
    expect(tasksDemonstrated(['few-cot'])).toEqual({ '1.2.a': false, '1.2.b': false });
  });
});
