import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ALL_TASKS, PHASES, TOPICS, getTopic, isTaskId, topicOfTask } from '../../../src/curriculum/plan';

// The study plan the curriculum data is written from, kept in the repository (a plain clone passes).
const planMd = readFileSync(resolve(__dirname, '../../../src/curriculum/study-plan.md'), 'utf8');

describe('study plan data', () => {
  it('has 3 phases, 13 topics and 41 tasks', () => {
    expect(PHASES).toHaveLength(3);
    expect(TOPICS).toHaveLength(13);
    expect(ALL_TASKS).toHaveLength(41);
  });

  it('matches study-plan.md exactly: topic ids/titles and task ids/texts in order', () => {
    const topics = [...planMd.matchAll(/^### (\d\.\d) (.+)$/gm)].map((m) => [m[1], m[2]]);
    expect(TOPICS.map((t) => [t.id, t.title])).toEqual(topics);
    const tasks = [...planMd.matchAll(/^- `(\d\.\d\.[a-z])` (.+)$/gm)].map((m) => [m[1], m[2]]);
    expect(ALL_TASKS.map((t) => [t.id, t.text])).toEqual(tasks);
  });

  it('task ids belong to their topic and letters run a, b, c…', () => {
    for (const t of TOPICS) {
      t.tasks.forEach((task, i) => expect(task.id).toBe(`${t.id}.${String.fromCharCode(97 + i)}`));
      expect(t.resources.length).toBeGreaterThan(0);
      for (const r of t.resources) expect(r.url).toMatch(/^https:\/\//);
    }
  });

  it('lookups', () => {
    expect(getTopic('2.1')?.title).toBe('Transformer Architecture Deep Dive');
    expect(topicOfTask('3.5.b')).toBe('3.5');
    expect(isTaskId('1.1.a')).toBe(true);
    expect(isTaskId('1.1.z')).toBe(false);
  });
});
