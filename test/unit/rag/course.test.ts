import { describe, expect, it } from 'vitest';
import { buildCourseCollection, courseDocuments } from '../../../src/lib/rag/course';
import { COURSE_QUESTIONS, courseQrels, evaluateCourseRetrieval } from '../../../src/lib/rag/course-qrels';
import { extractiveAnswer, augment, citedSources, DEFAULT_TEMPLATE, generate } from '../../../src/lib/rag/pipeline';
import { pca2 } from '../../../src/lib/rag/projection';
import { highlightSegments } from '../../../src/lib/rag/highlight';
import { createTestDoubleEngine } from '../../../src/lib/engine/test-double';
import type { LessonPart } from '../../../src/curriculum/types';

const modules = import.meta.glob<{ default: LessonPart }>('/src/curriculum/lessons/*/*.ts', { eager: true });
const parts = Object.entries(modules).map(([path, m]) => ({ path, part: m.default }));

describe('Ask the course', () => {
  const docs = courseDocuments(parts);
  it('turns lesson parts into documents, including lesson 1.4', () => {
    expect(docs.map((d) => d.id)).toEqual(expect.arrayContaining(['1.4/embeddings', '1.4/ingestion', '1.4/vector-search', '1.4/pipeline']));
    const d = docs.find((x) => x.id === '1.4/vector-search')!;
    expect(d.text.startsWith('# Vector search')).toBe(true);
    expect(d.text).toContain('## Quiz');
  });
  it('answers course questions offline with retrieval metrics per retriever', async () => {
    const course = await buildCourseCollection(docs);
    const { rows, skipped } = await evaluateCourseRetrieval(course.retriever, docs, [
      { label: 'BM25', mode: 'bm25' },
      { label: 'lexical', mode: 'dense' },
      { label: 'hybrid', mode: 'hybrid', mix: 0.5 },
    ]);
    expect(skipped.length).toBeLessThan(COURSE_QUESTIONS.length);
    for (const r of rows) {
      expect(r.metrics.queries).toBe(COURSE_QUESTIONS.length - skipped.length);
      expect(r.metrics.mrr).toBeGreaterThan(0.6);
      expect(r.metrics.recall[10]).toBeGreaterThan(0.8);
    }
  });
  it('runs the pipeline steps: retrieve, augment, extract, generate with citations', async () => {
    const course = await buildCourseCollection(docs);
    const q = 'Why do k-d trees fade in high dimensions?';
    const hits = await course.retriever.search(q, { k: 3, mode: 'hybrid' });
    expect(hits[0].chunk.docId).toBe('1.4/vector-search');
    const prompt = augment(DEFAULT_TEMPLATE, q, hits);
    expect(prompt).toContain('[1] (1.4 · Vector search');
    expect(prompt).toContain(`Question: ${q}`);
    const ex = extractiveAnswer(q, hits)!;
    expect(ex.text).toMatch(/dimension/i);
    const engine = createTestDoubleEngine({ respond: () => 'Distances concentrate [1], see also [3] and [9].' });
    let answer = '';
    for await (const d of generate(engine, prompt)) answer += d;
    expect(citedSources(answer, hits.length)).toEqual([1, 3]);
  });
  it('every question has a known relevance pattern', () => {
    const { qrels } = courseQrels(docs);
    expect(qrels.get('q8')!.has('1.4/vector-search')).toBe(true);
  });
});

describe('helpers', () => {
  it('pca2 recovers the main axis of elongated data', () => {
    // points along (1, 1, 0) with small noise on z
    const x = Float32Array.from([0, 0, 0.01, 1, 1, -0.01, 2, 2, 0.02, 3, 3, 0]);
    const p = pca2(x, 4, 3);
    const xs = p.map((v) => v[0]);
    expect(Math.abs(xs[3] - xs[0])).toBeCloseTo(3 * Math.SQRT2, 2);
  });
  it('highlights words by their analysed form', () => {
    const segs = highlightSegments('Embedding vectors are embedded.', 'embeddings');
    expect(segs.filter((s) => s.hit).map((s) => s.text)).toEqual(['Embedding', 'embedded']);
    expect(segs.map((s) => s.text).join('')).toBe('Embedding vectors are embedded.');
  });
});

describe('chunk preview segments', () => {
  it('marks chunk membership and overlaps, covering the text exactly', async () => {
    const { previewSegments } = await import('../../../src/labs/ingestion/preview');
    const text = 'aaaa bbbb cccc';
    const spans = [
      { start: 0, end: 9, text: text.slice(0, 9) },
      { start: 5, end: 14, text: text.slice(5, 14) },
    ];
    const segs = previewSegments(text, spans);
    expect(segs.map((s) => s.text).join('')).toBe(text);
    expect(segs.map((s) => [s.text, s.chunk, s.overlap])).toEqual([
      ['aaaa ', 0, false],
      ['bbbb', 0, true],
      [' cccc', 1, false],
    ]);
    expect(previewSegments('  x  ', [{ start: 2, end: 3, text: 'x' }]).map((s) => s.chunk)).toEqual([-1, 0, -1]);
  });
});
