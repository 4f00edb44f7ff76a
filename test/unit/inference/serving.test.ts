import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { BlockAllocator, PagedKVCache } from '../../../src/lib/inference/paged-cache';
import { PagedTinyLM } from '../../../src/lib/inference/batched';
import { makeWorkload, percentile, serve, type ServeRequest } from '../../../src/lib/inference/scheduler';
import { loadModel } from '../../../src/lib/tinylm/checkpoint';
import { TinyLMSession } from '../../../src/lib/tinylm/session';
import { generateIds } from '../../../src/lib/tinylm/eval';

describe('paged KV cache', () => {
  it('allocates 16-token blocks from a free list and returns them at refcount 0', () => {
    const a = new BlockAllocator(3);
    expect([a.alloc(), a.alloc()]).toEqual([0, 1]);
    expect(a.freeCount).toBe(1);
    a.retain(1);
    a.release(1);
    expect(a.freeCount).toBe(1); // still referenced once
    a.release(1);
    expect(a.freeCount).toBe(2);
    expect(a.alloc()).toBe(1); // last freed, first reused
    a.alloc();
    expect(() => a.alloc()).toThrow(/no free block/);
    expect(() => new BlockAllocator(1).release(0)).toThrow();
  });

  it('block tables: a 40-token sequence holds 3 blocks and wastes 8 slots; slots follow the table', () => {
    const c = new PagedKVCache(1, 2, 8);
    c.create(1);
    c.create(2);
    for (let i = 0; i < 20; i++) c.appendSlot(1);
    for (let i = 0; i < 17; i++) c.appendSlot(2);
    for (let i = 0; i < 20; i++) c.appendSlot(1);
    expect(c.blockTable(1)).toEqual([0, 1, 4]); // positions 20..31 fill block 1, then a new block
    expect(c.blockTable(2)).toEqual([2, 3]);
    expect(c.slot(1, 0)).toBe(0);
    expect(c.slot(1, 25)).toBe(1 * 16 + 9);
    expect(c.slot(1, 33)).toBe(4 * 16 + 1);
    expect(c.usage()).toEqual({ tokens: 57, slots: 5 * 16, blocks: 5, sequences: 2 });
    c.free(1);
    expect(c.alloc.freeCount).toBe(6);
  });

  it('fork shares blocks; the first write into a shared partial block copies it (copy-on-write)', () => {
    const c = new PagedKVCache(2, 1, 8);
    c.create(0);
    for (let i = 0; i < 20; i++) c.k[0][c.appendSlot(0)] = i; // 1 full block + 4 rows
    c.fork(0, 1);
    expect(c.blockTable(1)).toEqual([0, 1]);
    expect(c.alloc.refCount(1)).toBe(2);
    const row = c.appendSlot(1); // position 20 of the child lands in a copy of block 1
    expect(c.blockTable(1)).toEqual([0, 2]);
    expect(c.copies).toBe(1);
    expect(row).toBe(2 * 16 + 4);
    for (let p = 16; p < 20; p++) expect(c.k[0][c.slot(1, p)]).toBe(p); // copied rows
    expect(c.alloc.refCount(0)).toBe(2); // the full block stays shared
    expect(c.alloc.refCount(1)).toBe(1);
    c.appendSlot(0); // the parent writes into its own block 1 now without copying
    expect(c.copies).toBe(1);
    // shared block 0 counted once: blocks 0 (16), 1 (parent, 21 − 16 = 5 rows), 2 (child, 5 rows)
    expect(c.usage()).toEqual({ tokens: 26, slots: 48, blocks: 3, sequences: 2 });
  });
});

describe('batched decoding and scheduling on the shipped tinylm-base', () => {
  const dir = 'public/models/tinylm-base';
  const { model, tokenizer } = loadModel({ config: readFileSync(`${dir}/config.json`, 'utf8'), safetensors: readFileSync(`${dir}/model.safetensors`), tokenizer: readFileSync(`${dir}/tokenizer.json`, 'utf8') });
  const enc = (s: string) => [0, ...tokenizer.encode(s, { allowedSpecial: [] })];
  const prompts = ['Once upon a time, there was a cat.', 'Tom went to the park.', 'Lily had a red ball. She', 'The dog was happy because'].map(enc);
  const prefix = enc('One day, a little girl named Mia went to the beach with her mom.');

  it('a batch of mixed prefill and decode gives the logits of each sequence alone (and of TinyLMSession)', () => {
    const e = new PagedTinyLM(model, 32);
    e.cache.create(1);
    e.cache.create(2);
    e.forward([{ seq: 1, tokens: prompts[0] }]);
    const [l1, l2] = e.forward([{ seq: 1, tokens: [5] }, { seq: 2, tokens: prompts[1] }]);
    const s1 = new TinyLMSession(model);
    s1.append(prompts[0]);
    const r1 = s1.append([5]);
    const r2 = new TinyLMSession(model).append(prompts[1]);
    const close = (a: Float32Array, b: Float32Array) => a.every((x, i) => Math.abs(x - b[i]) < 1e-3);
    expect(close(l1, r1)).toBe(true);
    expect(close(l2, r2)).toBe(true);
  });

  it('every request of a seeded workload gets the tokens it gets alone, under both policies', () => {
    const reqs = makeWorkload(prompts, prefix, 8, 3, 2, 6, 20);
    const alone = reqs.map((r) => serve(model, [{ ...r, arrival: 0 }], { policy: 'continuous', maxBatch: 1, numBlocks: 64 }).requests[0].tokens);
    for (const policy of ['static', 'continuous'] as const) {
      const res = serve(model, reqs, { policy, maxBatch: 4, numBlocks: 64 });
      expect(res.requests.map((r) => r.tokens)).toEqual(alone);
      for (const s of res.stats) {
        expect(s.maxWaste).toBeLessThanOrEqual(15);
        if (Number.isFinite(s.utilisation)) expect(s.utilisation).toBeLessThanOrEqual(1);
      }
      expect(res.copiesOnWrite).toBeGreaterThan(0); // shared-prefix requests copied the partial prefix block
    }
    // and alone equals plain greedy decoding with the KV-cached session
    reqs.forEach((r, i) => expect(alone[i]).toEqual(generateIds(model, r.prompt, { maxTokens: r.maxTokens })));
  });

  it('continuous batching admits every step in arrival order and needs no more steps than static', () => {
    const reqs: ServeRequest[] = [
      { id: 0, arrival: 0, prompt: prompts[0], maxTokens: 12 },
      { id: 1, arrival: 0, prompt: prompts[1], maxTokens: 2 },
      { id: 2, arrival: 1, prompt: prompts[2], maxTokens: 4 },
      { id: 3, arrival: 1, prompt: prompts[3], maxTokens: 4 },
    ];
    const cont = serve(model, reqs, { policy: 'continuous', maxBatch: 2, numBlocks: 64 });
    const stat = serve(model, reqs, { policy: 'static', maxBatch: 2, numBlocks: 64 });
    const adm = (r: typeof cont) => r.requests.map((x) => x.admitted);
    // continuous: 0 and 1 at step 0; 1 makes its 2 tokens at steps 0–1, so 2 is admitted at step 2;
    // 2 makes its 4 tokens at steps 2–5, so 3 takes its slot at step 6 (0 is still running)
    expect(adm(cont)).toEqual([0, 0, 2, 6]);
    // static: 2 and 3 wait for the whole first batch (request 0's 12 tokens: steps 0..11)
    expect(adm(stat)).toEqual([0, 0, 12, 12]);
    expect(cont.steps).toBeLessThan(stat.steps);
    expect(cont.tokensPerStep).toBeGreaterThan(stat.tokensPerStep);
  });

  it('rejects a request that cannot fit the window or the cache', () => {
    expect(() => serve(model, [{ id: 0, arrival: 0, prompt: prompts[0], maxTokens: 300 }], { policy: 'continuous', maxBatch: 2, numBlocks: 64 })).toThrow(/window/);
    expect(() => serve(model, [{ id: 0, arrival: 0, prompt: prompts[0], maxTokens: 40 }], { policy: 'continuous', maxBatch: 2, numBlocks: 2 })).toThrow(/blocks/);
  });

  it('percentile by nearest rank', () => {
    expect(percentile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(percentile(Array.from({ length: 20 }, (_, i) => i + 1), 0.95)).toBe(19);
  });
});
