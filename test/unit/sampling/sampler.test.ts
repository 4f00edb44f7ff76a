import { describe, expect, it } from 'vitest';
import { createRng, sampleToken, samplingDistribution, StopSequenceMatcher } from '../../../src/lib/sampling';

describe('seeded rng', () => {
  it('is reproducible and in [0, 1)', () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b.next()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const c = createRng(43);
    expect(c.next()).not.toBe(xs[0]);
  });
  it('is roughly uniform', () => {
    const r = createRng(7);
    const bins = new Array(10).fill(0);
    for (let i = 0; i < 10000; i++) bins[Math.floor(r.next() * 10)]++;
    for (const b of bins) expect(Math.abs(b - 1000)).toBeLessThan(150);
  });
});

describe('sampling pipeline', () => {
  const logits = [Math.log(0.3), Math.log(0.1), Math.log(0.1), Math.log(0.5)];

  it('traces every step; top-p 0.8 cuts tokens 1 and 2', () => {
    const { probs, steps } = samplingDistribution(logits, { topP: 0.8 }, { trace: true });
    expect(steps!.map((s) => s.name)).toEqual(['logits', 'softmax', 'top_p', 'renormalize']);
    const topp = steps!.find((s) => s.name === 'top_p')!.values;
    expect(Array.from(topp, (v) => +v.toFixed(6))).toEqual([0.3, 0, 0, 0.5]);
    expect(Array.from(probs, (v) => +v.toFixed(6))).toEqual([0.375, 0, 0, 0.625]);
  });

  it('temperature 0 is greedy and uses no randomness', () => {
    const rng = createRng(1);
    const before = rng.state;
    expect(sampleToken(logits, { temperature: 0 }, rng).id).toBe(3);
    expect(rng.state).toBe(before);
  });

  it('greedy respects bias, penalties and masks', () => {
    const rng = createRng(1);
    expect(sampleToken(logits, { temperature: 0, logitBias: { '1': 10 } }, rng).id).toBe(1);
    expect(sampleToken(logits, { temperature: 0, repetitionPenalty: 10 }, rng, { history: [3] }).id).toBe(0);
    expect(sampleToken(logits, { temperature: 0, presencePenalty: 2 }, rng, { history: [3] }).id).toBe(0);
    expect(sampleToken(logits, { temperature: 0 }, rng, { allowed: (i) => i === 2 }).id).toBe(2);
  });

  it('empirical frequencies match the filtered distribution', () => {
    const rng = createRng(123);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 20000; i++) counts[sampleToken(logits, { topP: 0.8 }, rng).id]++;
    expect(counts[1] + counts[2]).toBe(0);
    expect(Math.abs(counts[3] / 20000 - 0.625)).toBeLessThan(0.02);
  });

  it('top-k 1 equals greedy; min-p filters relative to the max', () => {
    const rng = createRng(5);
    for (let i = 0; i < 50; i++) expect(sampleToken(logits, { topK: 1 }, rng).id).toBe(3);
    const { probs } = samplingDistribution(logits, { minP: 0.5 });
    expect(probs[1]).toBe(0);
    expect(probs[0]).toBeGreaterThan(0);
  });

  it('same seed, same tokens', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 30 }, () => sampleToken(logits, { temperature: 1.5 }, rng).id);
    };
    expect(draw(9)).toEqual(draw(9));
    expect(draw(9)).not.toEqual(draw(10));
  });
});

describe('stop sequences', () => {
  const run = (stops: string | string[], pieces: string[]) => {
    const m = new StopSequenceMatcher(stops);
    let out = '';
    let stopped = false;
    for (const p of pieces) {
      const r = m.push(p);
      out += r.emit;
      if (r.stopped) {
        stopped = true;
        break;
      }
    }
    if (!stopped) out += m.flush();
    return { out, stopped };
  };

  it('matches across token boundaries and does not emit the stop text', () => {
    expect(run('END', ['hello E', 'N', 'D more'])).toEqual({ out: 'hello ', stopped: true });
    expect(run(['\n\n', 'User:'], ['a\n', '\nb'])).toEqual({ out: 'a', stopped: true });
  });
  it('releases held text that turned out not to be a stop', () => {
    expect(run('END', ['hello E', 'N', 'x'])).toEqual({ out: 'hello ENx', stopped: false });
    expect(run('END', ['hello EN'])).toEqual({ out: 'hello EN', stopped: false });
  });
  it('holds back only possible prefixes', () => {
    const m = new StopSequenceMatcher('abc');
    expect(m.push('xxab').emit).toBe('xx');
    expect(m.push('d').emit).toBe('abd');
  });
  it('picks the earliest stop', () => {
    expect(run(['world', 'lo'], ['hello world'])).toEqual({ out: 'hel', stopped: true });
  });
  it('no stops: passes through', () => {
    expect(run([], ['a', 'b'])).toEqual({ out: 'ab', stopped: false });
  });
});
