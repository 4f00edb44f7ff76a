/** SFT data curation: Gopher rules (CS336 A4 thresholds), PII masks, MinHash vs exact Jaccard, LSH curve, parsing, pipeline. */
import { describe, expect, it } from 'vitest';
import { candidateProbability, exactDuplicates, jaccard, minhash, minhashFunctions, nearDuplicates, shingles, signatureSimilarity } from '../../../src/lib/curation/dedup';
import { EMAIL_MASK, GOPHER_THRESHOLDS, IP_MASK, PHONE_MASK, gopherFailures, maskEmails, maskIPs, maskPhones, maskPII, passesGopher } from '../../../src/lib/curation/filters';
import { DEFAULT_CURATION, curate, parseCsv, parseJsonl } from '../../../src/lib/curation/dataset';
import { dirtySample } from '../../../src/lib/curation/sample';
import { RNG } from '../../../src/lib/tinylm/rng';

const words = (n: number, w = 'word') => Array(n).fill(w).join(' ');

describe('Gopher rules', () => {
  it('uses CS336 assignment 4’s thresholds', () => {
    expect(GOPHER_THRESHOLDS).toEqual({ minWords: 50, maxWords: 100_000, minMeanWordLength: 3, maxMeanWordLength: 10, maxEllipsisLines: 0.3, minAlphaWords: 0.8 });
  });
  it('word count: 49 fails, 50 passes, 100,001 fails', () => {
    expect(passesGopher(words(49))).toBe(false);
    expect(passesGopher(words(50))).toBe(true);
    expect(passesGopher(words(100_001))).toBe(false);
  });
  it('mean word length outside 3–10 fails', () => {
    expect(passesGopher(words(60, 'ab'))).toBe(false);
    expect(passesGopher(words(60, 'abc'))).toBe(true);
    expect(passesGopher(words(60, 'abcdefghijk'))).toBe(false);
    expect(passesGopher(words(60, 'abcdefghij'))).toBe(true);
  });
  it('more than 30 % of lines ending with "..." fails', () => {
    const lines = (k: number) => Array.from({ length: 10 }, (_, i) => `${words(6)}${i < k ? '...' : '.'}`).join('\n');
    expect(passesGopher(lines(3))).toBe(true);
    expect(passesGopher(lines(4))).toBe(false);
  });
  it('fewer than 80 % of words with a letter fails', () => {
    const mix = (k: number) => [...Array(10 - k).fill('word'), ...Array(k).fill('1234')].join(' ').repeat(1).split(' ');
    expect(passesGopher(Array(6).fill(mix(2).join(' ')).join(' '))).toBe(true);
    expect(passesGopher(Array(6).fill(mix(3).join(' ')).join(' '))).toBe(false);
    expect(gopherFailures(Array(6).fill(mix(3).join(' ')).join(' '))[0]).toMatch(/70 % of words have a letter/);
  });
});

describe('PII masking', () => {
  it('e-mail addresses, with counts', () => {
    expect(maskEmails('Write to mia.kato@example.com or a_b+c@x.co.uk.')).toEqual([`Write to ${EMAIL_MASK} or ${EMAIL_MASK}.`, 2]);
    expect(maskEmails('no address here @ all')).toEqual(['no address here @ all', 0]);
  });
  it('phone numbers in the usual formats', () => {
    for (const p of ['555-201-3344', '(555) 201-3344', '555.201.3344', '5552013344', '+1 (555) 987-6543', '+44 20 7946 0958'])
      expect(maskPhones(`Call ${p} now`), p).toEqual([`Call ${PHONE_MASK} now`, 1]);
    expect(maskPhones('Tom is 42 years old in 2024.')[1]).toBe(0);
  });
  it('IPv4 addresses, not version numbers or out-of-range octets', () => {
    expect(maskIPs('at 192.168.10.24 and 8.8.8.8')).toEqual([`at ${IP_MASK} and ${IP_MASK}`, 2]);
    expect(maskIPs('version 1.2.3 or 999.1.1.1')[1]).toBe(0);
  });
  it('maskPII masks all three without reading an IP as a phone', () => {
    const r = maskPII('Mail ravi_92@example.org, call 555-987-6543, server 10.0.0.1.');
    expect(r).toEqual({ text: `Mail ${EMAIL_MASK}, call ${PHONE_MASK}, server ${IP_MASK}.`, emails: 1, phones: 1, ips: 1 });
  });
});

describe('MinHash and LSH', () => {
  it('signature agreement estimates the exact Jaccard similarity (k = 256, within 0.1 on every pair)', () => {
    const rng = new RNG(4);
    const vocab = Array.from({ length: 60 }, (_, i) => `w${i}`);
    const fns = minhashFunctions(256, 3);
    let worst = 0, sumErr = 0;
    for (let t = 0; t < 40; t++) {
      const a = Array.from({ length: 40 }, () => rng.pick(vocab)).join(' ');
      const b = a.split(' ').map((w) => (rng.next() < t / 60 ? rng.pick(vocab) : w)).join(' ');
      const sa = shingles(a, 2), sb = shingles(b, 2);
      const err = Math.abs(signatureSimilarity(minhash(sa, fns), minhash(sb, fns)) - jaccard(sa, sb));
      worst = Math.max(worst, err);
      sumErr += err;
    }
    expect(worst).toBeLessThan(0.1);
    expect(sumErr / 40).toBeLessThan(0.03);
  });
  it('candidate curve 1 − (1 − s^r)^b: k = 100, b = 20, r = 5 → 0.9996 at s = 0.8, 0.470 at s = 0.5', () => {
    expect(candidateProbability(0.8, 20, 5)).toBeCloseTo(0.9996, 4);
    expect(candidateProbability(0.5, 20, 5)).toBeCloseTo(0.470, 3);
  });
  it('LSH finds candidates at the rate the curve predicts (150 synthetic pairs per s: within 2σ ≈ 0.08)', () => {
    // pairs of sets with a chosen Jaccard similarity: |A ∩ B| = m, |A ∪ B| = 100
    for (const s of [0.3, 0.5, 0.7]) {
      let hits = 0;
      const N = 150;
      const texts: string[] = [];
      for (let p = 0; p < N; p++) {
        const m = Math.round(100 * s), shared = Array.from({ length: m }, (_, i) => `p${p}s${i}`);
        const onlyA = Array.from({ length: (100 - m) >> 1 }, (_, i) => `p${p}a${i}`), onlyB = Array.from({ length: 100 - m - ((100 - m) >> 1) }, (_, i) => `p${p}b${i}`);
        texts.push([...shared, ...onlyA].join(' '), [...shared, ...onlyB].join(' '));
      }
      const res = nearDuplicates(texts, { bands: 20, rows: 5, threshold: 0, ngram: 1, seed: 9 });
      for (let p = 0; p < N; p++) if (res.candidates.some((c) => c.i === 2 * p && c.j === 2 * p + 1)) hits++;
      const sets = [shingles(texts[0], 1), shingles(texts[1], 1)];
      const exact = jaccard(sets[0], sets[1]);
      expect(Math.abs(hits / N - candidateProbability(exact, 20, 5)), `s = ${s}`).toBeLessThan(0.08);
    }
  });
  it('exact duplicates ignore case, accents and punctuation', () => {
    expect(exactDuplicates(['Café au lait!', 'cafe AU lait', 'something else'])).toEqual([0, 0, 2]);
  });
});

describe('datasets', () => {
  it('parses JSONL shapes and reports bad lines with their number and reason', () => {
    const text = ['{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}', '', '{"prompt": "a", "response": "b"}',
      '{"instruction": "Add", "input": "1 and 2", "output": "3"}', '{broken', '{"messages": [{"role": "user", "content": "x"}]}', '[1, 2]'].join('\n');
    const { rows, bad } = parseJsonl(text);
    expect(rows.map((r) => r.line)).toEqual([1, 3, 4]);
    expect(rows[2].messages[0].content).toBe('Add\n1 and 2');
    expect(bad).toEqual([{ line: 5, reason: 'not valid JSON' }, { line: 6, reason: 'the last message is not the assistant’s reply' }, { line: 7, reason: 'not a JSON object' }]);
  });
  it('parses CSV with quotes and newlines in cells; a missing column or a bad row gets its line', () => {
    const { rows, bad } = parseCsv('prompt,response\n"Say ""hi""","hi"\n"two\nlines",ok\nonly one cell\n');
    expect(rows.map((r) => [r.line, r.messages[0].content])).toEqual([[2, 'Say "hi"'], [3, 'two\nlines']]);
    expect(bad).toEqual([{ line: 5, reason: '1 cells, the header has 2' }]);
    expect(parseCsv('a,b\n1,2').bad[0].reason).toMatch(/no prompt and response columns/);
    expect(parseJsonl('').rows).toEqual([]);
  });
  it('the shipped dirty sample: the pipeline catches every kind of dirt it was made with', () => {
    const { text, manifest } = dirtySample();
    const { rows, bad } = parseJsonl(text);
    expect(bad.length).toBe(manifest.malformed);
    const tokens = (m: { content: string }[]) => Math.ceil(m.reduce((s, x) => s + x.content.length, 0) / 3); // a rough stand-in for the tokenizer
    const d = curate(rows, tokens, DEFAULT_CURATION);
    const why = (re: RegExp) => d.filter((x) => x.dropped && re.test(x.dropped)).length;
    expect(why(/^exact duplicate/)).toBe(manifest.exactDuplicates);
    expect(why(/^near duplicate/)).toBeGreaterThanOrEqual(manifest.nearDuplicates);
    expect(why(/^quality/)).toBe(manifest.junk);
    expect(why(/longer than the 256-token window/)).toBe(manifest.overLong);
    expect(d.reduce((s, x) => s + x.pii.emails + x.pii.phones + x.pii.ips, 0)).toBe(manifest.piiItems);
    // the legacy rows' copies and the signed replies' re-scrapes are caught: one of each is kept
    const legacyKept = d.filter((x) => !x.dropped && !x.messages.at(-1)!.content.startsWith('{'));
    expect(legacyKept.length).toBe(manifest.legacy);
    expect(d.filter((x) => !x.dropped && x.messages.at(-1)!.content.includes('Mia Kato')).length).toBe(manifest.signed);
    const kept = d.filter((x) => !x.dropped);
    expect(kept.length).toBeGreaterThan(100);
    expect(kept.filter((x) => x.split === 'val').length).toBeGreaterThan(3);
    expect(kept.every((x) => !/@example\.|555-/.test(JSON.stringify(x.messages)))).toBe(true);
  });
});
