import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  expectedSpeedup, expectedTokensPerCall, measuredAlpha, overlap, sampleFrom, speculativeGenerate, verifyGreedy, verifySample,
} from '../../../src/lib/inference/speculative';
import { loadModel } from '../../../src/lib/tinylm/checkpoint';
import { generateIds } from '../../../src/lib/tinylm/eval';
import { TinyLMSession } from '../../../src/lib/tinylm/session';
import { RNG } from '../../../src/lib/tinylm/rng';

function shipped(name: string) {
  const dir = `public/models/${name}`;
  return loadModel({ config: readFileSync(`${dir}/config.json`, 'utf8'), safetensors: readFileSync(`${dir}/model.safetensors`), tokenizer: readFileSync(`${dir}/tokenizer.json`, 'utf8') });
}

/** A uniform source that returns fixed numbers (to force accept/reject in hand cases). */
const fixed = (...u: number[]) => ({ next: () => u.shift() ?? 0 });
const tv = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / 2;
};

describe('speculative acceptance rule (hand cases)', () => {
  const p = [0.5, 0.3, 0.2, 0];
  const q = [0.25, 0.25, 0.25, 0.25];

  it('accepts a token whose p ≥ q always, and one with p < q with probability p/q', () => {
    // token 0: p/q = 2 → accepted even with u close to 1
    expect(verifySample([p, p], [q], [0], fixed(0.999, 0)).accepted).toBe(1);
    // token 2: p/q = 0.8 → accepted at u = 0.79, rejected at u = 0.81
    expect(verifySample([p, p], [q], [2], fixed(0.79, 0)).accepted).toBe(1);
    expect(verifySample([p, p], [q], [2], fixed(0.81, 0)).accepted).toBe(0);
    // token 3: p = 0 → never accepted
    expect(verifySample([p, p], [q], [3], fixed(0, 0)).accepted).toBe(0);
  });

  it('resamples from norm(max(0, p − q)) after a rejection', () => {
    // max(0, p − q) = [0.25, 0.05, 0, 0] / 0.3: u = 0.5 → token 0, u = 0.9 → token 1, never 2 or 3
    expect(verifySample([p, p], [q], [3], fixed(0, 0.5))).toEqual({ accepted: 0, next: 0 });
    expect(verifySample([p, p], [q], [3], fixed(0, 0.9))).toEqual({ accepted: 0, next: 1 });
  });

  it('adds a bonus token from p_{γ+1} when all proposals are kept', () => {
    const last = [0, 0, 0, 1];
    expect(verifySample([p, p, last], [q, q], [0, 0], fixed(0.1, 0.1, 0.3))).toEqual({ accepted: 2, next: 3 });
  });

  it('greedy: keeps proposals while they equal the target argmax, then the argmax', () => {
    expect(verifyGreedy([5, 7, 9, 1], [5, 7, 2])).toEqual({ accepted: 2, next: 9 });
    expect(verifyGreedy([5, 7, 9, 1], [5, 7, 9])).toEqual({ accepted: 3, next: 1 });
    expect(verifyGreedy([4], [])).toEqual({ accepted: 0, next: 4 });
  });

  it('α = Σ min(p, q) and the expected tokens per target call (1 − α^(γ+1)) / (1 − α)', () => {
    expect(overlap(p, q)).toBeCloseTo(0.7, 12);
    expect(expectedTokensPerCall(0.8, 5)).toBeCloseTo(3.68928, 5);
    expect(expectedTokensPerCall(1, 4)).toBe(5);
    expect(expectedTokensPerCall(0, 4)).toBe(1);
    // Leviathan et al.: α = 0.8, γ = 5, c = 0.05 → 2.95× ; α = 0.6, γ = 4, c = 0.35 → slower than plain
    expect(expectedSpeedup(0.8, 5, 0.05)).toBeCloseTo(2.951, 3);
    expect(expectedSpeedup(0.6, 4, 0.35)).toBeLessThan(1);
  });
});

describe('speculative sampling keeps the target distribution', () => {
  // Hand distributions over 6 tokens; the draft is deliberately wrong (mass on tokens p rarely picks).
  const P = [0.4, 0.25, 0.15, 0.1, 0.07, 0.03];
  const Q = [0.1, 0.1, 0.2, 0.3, 0.05, 0.25];

  function drawRounds(gamma: number, n: number, seed: number) {
    const rng = new RNG(seed);
    const first = new Float64Array(6), second = new Float64Array(6);
    let accepted = 0, trials = 0;
    for (let k = 0; k < n; k++) {
      const drafts = Array.from({ length: gamma }, () => sampleFrom(Q, rng.next()));
      const v = verifySample(Array(gamma + 1).fill(P), Array(gamma).fill(Q), drafts, rng);
      const toks = [...drafts.slice(0, v.accepted), v.next];
      first[toks[0]]++;
      if (toks.length > 1) second[toks[1]]++;
      accepted += v.accepted;
      trials += v.accepted + (v.accepted < gamma ? 1 : 0);
    }
    const norm = (h: Float64Array) => { const z = h.reduce((a, b) => a + b, 0); return h.map((x) => x / z); };
    return { first: norm(first), second: norm(second), alpha: accepted / trials };
  }

  it('20,000 seeded first tokens (γ = 3) match p within TV < 0.02, and draws from q alone do not', () => {
    const { first, alpha } = drawRounds(3, 20_000, 7);
    expect(tv(first, P)).toBeLessThan(0.02);
    expect(tv(Q, P)).toBeGreaterThan(0.3); // the test can fail: q itself is far from p
    // α̂ estimates Σ min(p, q) = 0.1 + 0.1 + 0.15 + 0.1 + 0.05 + 0.03 = 0.53
    expect(alpha).toBeCloseTo(overlap(P, Q), 1);
  });

  it('the second token of a round (after an acceptance) also follows p', () => {
    const { second } = drawRounds(2, 20_000, 8);
    expect(tv(second, P)).toBeLessThan(0.02);
  });

  it('a wrong rule (accept every proposal) fails the same check', () => {
    const rng = new RNG(9);
    const h = new Float64Array(6);
    for (let k = 0; k < 20_000; k++) h[sampleFrom(Q, rng.next())]++;
    expect(tv(h.map((x) => x / 20_000), P)).toBeGreaterThan(0.02);
  });
});

describe('speculative decoding with the shipped TinyLM target and draft', () => {
  const { model: target, tokenizer: tok } = shipped('tinylm-base');
  const { model: draft } = shipped('tinylm-draft');
  const V = target.config.vocabSize;
  const prompts = ['Once upon a time, there was a little girl named Lily.', 'One day, a boy named Tom went to the park. He saw', 'The cat was sad because', 'Sam and his mom'];

  it('greedy mode gives exactly the target greedy output, for γ = 1..6', () => {
    for (const text of prompts) {
      const ids = [0, ...tok.encode(text)];
      const plain = generateIds(target, ids, { maxTokens: 40 });
      for (const gamma of [1, 3, 6]) {
        const r = speculativeGenerate(new TinyLMSession(target), new TinyLMSession(draft), ids, V, { gamma, mode: 'greedy', maxTokens: 40, contextLength: 256 });
        expect(r.tokens.map((t) => t.id), `${text} γ=${gamma}`).toEqual(plain);
        expect(r.stats.targetCalls).toBe(r.stats.rounds);
        // every round emits its kept proposals + one target token
        expect(r.tokens.length).toBe(r.stats.accepted + r.stats.rounds);
      }
    }
  });

  it('the draft agrees with the target often enough to save target calls', () => {
    const ids = [0, ...tok.encode(prompts[0])];
    const r = speculativeGenerate(new TinyLMSession(target), new TinyLMSession(draft), ids, V, { gamma: 4, mode: 'greedy', maxTokens: 60 });
    expect(measuredAlpha(r.stats)).toBeGreaterThan(0.3);
    expect(r.tokens.length / r.stats.targetCalls).toBeGreaterThan(1.3);
  });

  it('γ = 0 is plain decoding: one target call per token', () => {
    const ids = [0, ...tok.encode(prompts[1])];
    const r = speculativeGenerate(new TinyLMSession(target), new TinyLMSession(draft), ids, V, { gamma: 0, mode: 'greedy', maxTokens: 12 });
    expect(r.stats.targetCalls).toBe(12);
    expect(r.tokens.map((t) => t.id)).toEqual(generateIds(target, ids, { maxTokens: 12 }));
  });

  it('sampling mode is reproducible from the seed, respects the window and stop ids', () => {
    const ids = [0, ...tok.encode(prompts[2])];
    const opts = { gamma: 3, mode: 'sample' as const, temperature: 0.8, seed: 5, maxTokens: 400, contextLength: 60 };
    const a = speculativeGenerate(new TinyLMSession(target), new TinyLMSession(draft), ids, V, opts);
    const b = speculativeGenerate(new TinyLMSession(target), new TinyLMSession(draft), ids, V, opts);
    expect(a.tokens).toEqual(b.tokens);
    expect(a.tokens.length).toBeLessThanOrEqual(60 - ids.length);
    expect(a.stats.alphaFromDistributions).toBeGreaterThan(0);
    const stopAt = a.tokens[3].id;
    const c = speculativeGenerate(new TinyLMSession(target), new TinyLMSession(draft), ids, V, { ...opts, stopIds: [stopAt] });
    expect(c.tokens.map((t) => t.id)).not.toContain(stopAt);
  });

  it('rollback: the session logits after a truncate + re-append equal a fresh session', () => {
    const ids = [0, ...tok.encode(prompts[0])];
    const s = new TinyLMSession(target);
    s.append(ids);
    s.appendAll([5, 6, 7]);
    s.truncate(ids.length);
    const again = s.append([9]);
    const fresh = new TinyLMSession(target);
    fresh.append(ids);
    expect(Array.from(fresh.append([9]))).toEqual(Array.from(again));
  });
});
