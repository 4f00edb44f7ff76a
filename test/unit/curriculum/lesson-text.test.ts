/** Lesson text as the learner reads it: no escaped backticks left over from String.raw templates. */
import { describe, expect, it } from 'vitest';
import type { LessonPart } from '../../../src/curriculum/types';

const parts = import.meta.glob<{ default: LessonPart }>('/src/curriculum/lessons/*/*.ts', { eager: true });

describe('lesson text', () => {
  it('has no literal \\` (inline code in String.raw bodies must be unescaped)', () => {
    const bad: string[] = [];
    for (const [path, m] of Object.entries(parts)) {
      const p = m.default;
      for (const [field, text] of [['body', p.body], ['after', p.after ?? '']] as const) if (text.includes('\\`')) bad.push(`${path} ${field}`);
      for (const q of p.quiz ?? []) for (const t of [q.question, q.explanation, ...q.choices]) if (t.includes('\\`')) bad.push(`${path} quiz: ${t}`);
    }
    expect(bad).toEqual([]);
    expect(Object.keys(parts).length).toBeGreaterThan(10);
  });
});
