import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import prompting from '../../../src/labs/prompting/meta';
import structured from '../../../src/labs/structured-output/meta';
import part10 from '../../../src/curriculum/lessons/1.2/10-prompting';
import part20 from '../../../src/curriculum/lessons/1.2/20-structured-output';
import { compileSchemaText } from '../../../src/lib/prompting/validate';

describe('lesson 1.2 wiring', () => {
  it('lab defaults validate against their share-link schemas; oversized input is rejected', () => {
    for (const lab of [prompting, structured]) {
      expect(v.safeParse(lab.schema, lab.defaults()).success, lab.id).toBe(true);
    }
    const bad = { ...prompting.defaults(), runs: 1000 };
    expect(v.safeParse(prompting.schema, bad).success).toBe(false);
    const huge = { ...structured.defaults(), schemaText: 'x'.repeat(7000) };
    expect(v.safeParse(structured.schema, huge).success).toBe(false);
    expect(compileSchemaText(structured.defaults().schemaText).ok).toBe(true);
  });

  it('lesson parts reference these labs, tasks cover 1.2.a–c, quizzes are well formed', () => {
    expect([part10.labs, part20.labs]).toEqual([['prompting'], ['structured-output']]);
    expect([...prompting.tasks, ...structured.tasks].sort()).toEqual(['1.2.a', '1.2.b', '1.2.c']);
    for (const part of [part10, part20]) {
      expect(part.topic).toBe('1.2');
      expect(part.body).not.toContain('§');
      for (const q of part.quiz ?? []) {
        expect(q.answer).toBeGreaterThanOrEqual(0);
        expect(q.answer).toBeLessThan(q.choices.length);
        expect(q.explanation.length).toBeGreaterThan(20);
      }
      const urls = (part.resources ?? []).map((r) => r.url);
      expect(urls).toContain('https://github.com/mlabonne/llm-course');
      expect(urls).toContain('https://www.deeplearning.ai/short-courses/chatgpt-prompt-engineering-for-developers/');
    }
    expect(part20.body).toContain('```ts');
  });
});
