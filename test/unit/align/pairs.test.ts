/** The abstention behaviour: generated pairs, the program judge, JSONL import with line-numbered reasons, and the shipped model's failure. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ABSTAIN, behaviourScore, isAbstention, judgeReply, makePairs, PAIR_SEEDS } from '../../../src/lib/align/pairs';
import { pairLength, pairsToJsonl, parsePairsJsonl } from '../../../src/lib/align/jsonl';
import { loadModel } from '../../../src/lib/tinylm/checkpoint';

const dir = 'public/models/tinylm-chat/';
const chat = loadModel({ config: readFileSync(dir + 'config.json', 'utf8'), safetensors: readFileSync(dir + 'model.safetensors'), tokenizer: readFileSync(dir + 'tokenizer.json', 'utf8') });

describe('preference pairs', () => {
  it('are half unanswerable, chosen ≠ rejected, unanswerable questions really are absent from the context, and all fit the window', () => {
    const pairs = makePairs(200, PAIR_SEEDS.train);
    const un = pairs.filter((p) => p.answerable === false);
    expect(un.length).toBeGreaterThan(70);
    expect(un.length).toBeLessThan(130);
    for (const p of pairs) {
      expect(p.chosen).not.toBe(p.rejected);
      expect(pairLength(chat.tokenizer, p)).toBeLessThanOrEqual(256);
      if (p.answerable === false) {
        expect(p.chosen).toBe(ABSTAIN);
        const q = p.user.split('\nQuestion: ')[1];
        if (/job\?$/.test(q)) expect(p.user).not.toMatch(/works as/);
        if (/^How old/.test(q)) expect(p.user).not.toMatch(/years old/);
        if (/favorite color/.test(q)) expect(p.user).not.toMatch(/favorite color is/);
      } else expect(p.user).toContain(p.chosen);
    }
    const held = new Set(makePairs(64, PAIR_SEEDS.test).map((p) => p.user));
    expect(pairs.filter((p) => held.has(p.user)).length).toBeLessThan(3);
  });

  it('the judge wants an abstention exactly when the context lacks the answer', () => {
    const un = { system: '', user: 'x', chosen: ABSTAIN, rejected: 'blue', answerable: false };
    const an = { system: '', user: 'x', chosen: 'the park', rejected: ABSTAIN, answerable: true };
    expect(judgeReply(un, 'The context does not say.')).toBe(true);
    expect(judgeReply(un, 'blue')).toBe(false);
    expect(judgeReply(an, 'park')).toBe(true);
    expect(judgeReply(an, ABSTAIN)).toBe(false);
    expect(isAbstention("the text doesn't say")).toBe(true);
  });

  it('JSONL import reports malformed lines, identical and empty completions and over-long prompts by line number, and keeps the rest', () => {
    const good = pairsToJsonl(makePairs(3, 1));
    const long = JSON.stringify({ prompt: 'word '.repeat(400), chosen: 'a', rejected: 'b' });
    const text = [good, '{"prompt": "p", "chosen": "a", "rejected": "a"}', 'not json', '', '{"prompt": "p", "chosen": "", "rejected": "b"}', '[1]', '{"prompt": "p", "chosen": 3, "rejected": "b"}', long].join('\n');
    const { pairs, bad, lines } = parsePairsJsonl(text, chat.tokenizer);
    expect(pairs.length).toBe(3);
    expect(lines).toEqual([1, 2, 3]);
    expect(bad.map((b) => b.line)).toEqual([4, 5, 7, 8, 9, 10]);
    expect(bad[0].reason).toMatch(/identical/);
    expect(bad[1].reason).toMatch(/not valid JSON/);
    expect(bad[2].reason).toMatch(/empty chosen/);
    expect(bad[3].reason).toMatch(/not a JSON object/);
    expect(bad[4].reason).toMatch(/"chosen"/);
    expect(bad[5].reason).toMatch(/256-token window/);
    expect(parsePairsJsonl(good).pairs.map((p) => p.answerable)).toEqual(makePairs(3, 1).map((p) => p.answerable));
  });

  it('the shipped chat model invents instead of abstaining (measured on held-out prompts)', () => {
    const s = behaviourScore(chat.model, chat.tokenizer, makePairs(20, PAIR_SEEDS.test + 1));
    expect(s.abstainRate).toBeLessThan(0.2);
    expect(s.answerRate).toBeGreaterThan(0.6);
  });
});
