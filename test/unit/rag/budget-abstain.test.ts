import { describe, expect, it } from 'vitest';
import { fitPrompt, promptLimit } from '../../../src/lib/rag/budget';
import { calibrateGate, relevanceGate } from '../../../src/lib/rag/abstain';
import { augment, DEFAULT_TEMPLATE } from '../../../src/lib/rag/pipeline';
import { buildRegisterCollection, registerPeople } from '../../../src/lib/rag/register';
import type { SearchResult } from '../../../src/lib/rag/retriever';
import { LabError } from '../../../src/lib/errors';
import abstention from '../../../src/lib/rag/abstention.json';

const words = (t: string) => Promise.resolve(t.split(/\s+/).filter(Boolean).length); // 1 token per word
const result = (i: number, text: string): SearchResult => ({
  rank: i + 1, chunk: { id: `c${i}`, docId: `d${i}`, docName: `Doc ${i}`, text, start: 0, end: text.length }, dense: null, bm25: null, fused: 0, denseRank: null, bm25Rank: null,
});
const chunk = (n: number, tag: string) => Array.from({ length: n }, (_, j) => `${tag}${j}`).join(' ');

describe('fitting a RAG prompt into the window', () => {
  const results = [result(0, chunk(60, 'a')), result(1, chunk(60, 'b')), result(2, chunk(60, 'c'))];
  it('keeps everything when it fits', async () => {
    const f = await fitPrompt(DEFAULT_TEMPLATE, 'why?', results, words, { window: 1000, answer: 100, overhead: 10 });
    expect(f.dropped).toBe(0);
    expect(f.cutChars).toBe(0);
    expect(f.prompt).toBe(augment(DEFAULT_TEMPLATE, 'why?', results));
  });
  it('drops the lowest-ranked sources first, then cuts the best one at a word', async () => {
    const budget = { window: 256, answer: 48, overhead: 16 };
    const f = await fitPrompt(DEFAULT_TEMPLATE, 'why?', results, words, budget);
    expect(f.tokens).toBeLessThanOrEqual(promptLimit(budget));
    expect(f.kept.length).toBe(2);
    expect(f.dropped).toBe(1);
    expect(f.fullTokens).toBeGreaterThan(promptLimit(budget));
    const tight = await fitPrompt(DEFAULT_TEMPLATE, 'why?', results, words, { window: 120, answer: 48, overhead: 16 });
    expect(tight.kept.length).toBe(1);
    expect(tight.cutChars).toBeGreaterThan(0);
    expect(tight.tokens).toBeLessThanOrEqual(56);
    expect(tight.prompt).toContain('a0 a1');
    expect(tight.prompt).not.toContain('b0');
    // the longest prefix that fits: one more word would not
    const more = tight.kept[0]!.chunk.text.replace('…', '') + ' x';
    expect(await words(augment(DEFAULT_TEMPLATE, 'why?', [result(0, more)]))).toBeGreaterThan(56);
  });
  it('explains, instead of sending, when the template and question alone overflow', async () => {
    const err = await fitPrompt(chunk(300, 't'), 'why?', results, words, { window: 256, answer: 48, overhead: 16 }).catch((e) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe('context-window');
    expect((err as LabError).hint).toMatch(/Shorten the template/);
  });
});

describe('the relevance gate', () => {
  it('stops "Where does Zorblat live?" and lets register questions through', async () => {
    const col = await buildRegisterCollection();
    const t = abstention.threshold;
    expect(relevanceGate(col.retriever.bm25, 'Where does Zorblat live?', t).pass).toBe(false);
    expect(relevanceGate(col.retriever.bm25, 'Where does Mosan live?', t).pass).toBe(true);
  });
  it('abstention.json is what the calibration gives today (re-run scripts/rag-abstention.ts when it changes)', async () => {
    const everyone = registerPeople(80);
    const col = await buildRegisterCollection(everyone.slice(0, 40));
    const best = (q: string) => relevanceGate(col.retriever.bm25, q, 0).best;
    const answerable = col.people.flatMap((p) => p.qa.map(([q]) => best(q)));
    const unanswerable = [...everyone.slice(40).flatMap((p) => p.qa.map(([q]) => best(q))), best('Where does Zorblat live?')];
    const cal = calibrateGate(answerable, unanswerable);
    expect(Math.round(cal.threshold * 1000) / 1000).toBe(abstention.threshold);
    expect(cal.answered).toBeCloseTo(abstention.answered, 10);
    expect(cal.abstained).toBeCloseTo(abstention.abstained, 10);
    expect(cal.answered).toBeGreaterThan(0.9);
    expect(cal.abstained).toBeGreaterThan(0.9);
  });
  it('calibration picks the separating midpoint', () => {
    expect(calibrateGate([3, 4, 5], [0, 1, 2])).toEqual({ threshold: 2.5, answered: 1, abstained: 1 });
  });
});
