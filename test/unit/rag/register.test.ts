import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildRegisterCollection, registerPeople, registerQA, TINY_TEMPLATE } from '../../../src/lib/rag/register';
import { augment } from '../../../src/lib/rag/pipeline';
import { loadModel } from '../../../src/lib/tinylm/checkpoint';
import { greedyAnswer } from '../../../src/lib/tinylm/eval';

describe('town register (built-in collection for TinyLM)', () => {
  it('is deterministic, names are distinct and every answer is written in its profile', () => {
    const a = registerPeople(), b = registerPeople();
    expect(a).toEqual(b);
    expect(new Set(a.map((p) => p.name)).size).toBe(a.length);
    for (const p of a) for (const [q, ans] of p.qa) {
      expect(q).toContain(p.name);
      expect(p.text).toContain(ans);
    }
  });

  it('hybrid retrieval ranks the asked person\'s profile first for every question', async () => {
    const col = await buildRegisterCollection();
    let total = 0;
    for (const p of col.people) for (const [q] of p.qa) {
      const [top] = await col.retriever.search(q, { k: 1, mode: 'hybrid', mix: 0.5 });
      expect(top.chunk.docId, q).toBe(p.id);
      total++;
    }
    expect(total).toBeGreaterThan(100);
  });

  it('TinyLM\'s template gets the plain passages, not numbered sources', async () => {
    const col = await buildRegisterCollection();
    const p = col.people[0];
    const [q] = p.qa[0];
    const results = await col.retriever.search(q, { k: 2, mode: 'hybrid', mix: 0.5 });
    const prompt = augment(TINY_TEMPLATE, q, results);
    expect(prompt.startsWith(`Context: ${p.text} `)).toBe(true);
    expect(prompt.endsWith(`\nQuestion: ${q}`)).toBe(true);
    expect(prompt).not.toMatch(/\[\d\]/);
  });
});

const chatDir = new URL('../../../public/models/tinylm-chat/', import.meta.url);
describe.runIf(existsSync(new URL('model.safetensors', chatDir)))('RAG with the shipped chat model over the town register', () => {
  it('answers from retrieved profiles, and cannot without them', async () => {
    const read = (f: string) => readFileSync(new URL(f, chatDir));
    const { model, tokenizer } = loadModel({ config: read('config.json').toString(), safetensors: read('model.safetensors'), tokenizer: read('tokenizer.json').toString() });
    const answer = async (prompt: string) => greedyAnswer(model, tokenizer, prompt, 16);
    const collection = await buildRegisterCollection();
    const withRag = await registerQA(answer, { retrieval: true, k: 1, collection });
    const without = await registerQA(answer, { retrieval: false, collection });
    // Measured on the shipped model (greedy, so deterministic): see metrics.json → registerRag
    // (0.95 with the top profile, 0.05 without retrieval).
    expect(withRag.exactMatch).toBeGreaterThanOrEqual(0.9);
    expect(without.exactMatch).toBeLessThanOrEqual(0.15);
  }, 120_000);
});
