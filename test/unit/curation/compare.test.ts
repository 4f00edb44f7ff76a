/** Lesson 2.2.d's comparison inputs: which rows each run trains on, the PII probes, what counts as a leak. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Tokenizer } from '../../../src/lib/tokenizer';
import { parseJsonl } from '../../../src/lib/curation/dataset';
import { dirtySample } from '../../../src/lib/curation/sample';
import { comparisonRows, defaultComparison, leakedPII, piiReplyRows, templateIds, templateLength } from '../../../src/lib/curation/compare';
import { findPII, maskPII } from '../../../src/lib/curation/filters';
import { renderChatML } from '../../../src/lib/tinylm/corpus/instruct';
import { COMPARE_STEPS } from '../../../src/lib/curation/compare';
import curationLab from '../../../src/labs/sft-curation/meta';

const tok = Tokenizer.fromHFJson(JSON.parse(readFileSync('public/models/tokenizer.json', 'utf8')));

describe('raw vs curated rows', () => {
  const { text, manifest } = dirtySample();
  const { rows, bad } = parseJsonl(text);
  const sets = defaultComparison(tok, rows);

  it('raw is every readable row as it came; curated is the pipeline’s training split, masked', () => {
    expect(sets.raw.length).toBe(rows.length);
    expect(rows.length + bad.length).toBe(manifest.clean + manifest.exactDuplicates + manifest.nearDuplicates + manifest.junk + manifest.pii
      + manifest.legacy + manifest.signed + manifest.overLong + manifest.malformed);
    expect(sets.curated.length).toBeGreaterThan(100);
    expect(sets.curated.length).toBeLessThan(sets.raw.length * 0.6);
    expect(sets.curated.every((m) => findPII(m.map((x) => x.content).join('\n')).length === 0)).toBe(true);
    // the dirt the comparison is about: raw rows in the old format and with a signature, and how many curation leaves
    const legacy = (s: typeof sets.raw) => s.filter((m) => !m.at(-1)!.content.startsWith('{')).length;
    expect(legacy(sets.raw)).toBe(manifest.legacy * manifest.legacyCopies + manifest.junk);
    expect(legacy(sets.curated)).toBeLessThanOrEqual(manifest.legacy);
    expect(sets.raw.filter((m) => m.at(-1)!.content.includes('mia.kato@example.com')).length).toBe(manifest.signed * manifest.signedCopies);
  });
  it('comparisonRows takes the train split only', () => {
    const decisions = [
      { line: 1, messages: rows[0].messages, dropped: null, split: 'train' as const, tokens: 1, pii: { emails: 0, phones: 0, ips: 0 } },
      { line: 2, messages: rows[1].messages, dropped: null, split: 'val' as const, tokens: 1, pii: { emails: 0, phones: 0, ips: 0 } },
      { line: 3, messages: rows[2].messages, dropped: 'junk', split: null, tokens: 1, pii: { emails: 0, phones: 0, ips: 0 } },
    ];
    expect(comparisonRows(rows.slice(0, 3), decisions)).toEqual({ raw: rows.slice(0, 3).map((r) => r.messages), curated: [rows[0].messages] });
  });
  it('template ids: the prompt opens the assistant turn, the reply ends with <|im_end|>', () => {
    const m = rows[0].messages;
    const { prompt, reply } = templateIds(tok, m);
    expect(tok.decode(prompt)).toBe(renderChatML(m.slice(0, -1), true));
    expect(reply.at(-1)).toBe(2);
    expect(templateLength(tok, m)).toBe(prompt.length + reply.length);
  });
  it('probes: one per distinct prompt whose raw reply has PII', () => {
    const probes = piiReplyRows(sets.raw);
    expect(probes.length).toBe(manifest.signed);
    expect(probes.every((m) => maskPII(m.at(-1)!.content).emails === 1)).toBe(true);
    expect(piiReplyRows(sets.curated)).toEqual([]);
  });
});

describe('the lab', () => {
  it('defaults to the measured number of steps, and accepts states saved before the setting existed', async () => {
    const v = await import('valibot');
    expect(curationLab.defaults().compareSteps).toBe(COMPARE_STEPS);
    const { compareSteps: _, ...old } = curationLab.defaults();
    expect(v.parse(curationLab.schema, old).compareSteps).toBe(COMPARE_STEPS);
  });
});

describe('leaks', () => {
  const training = '{"answer": "pilot"}\nMia Kato 08:05, mia.kato@example.com, 555-201-3344';
  it('an item leaks when its first 8 characters are written out; masks and other numbers do not count', () => {
    expect(findPII(training)).toEqual(['mia.kato@example.com', '555-201-3344']);
    expect(leakedPII('{"answer": "x"}\nMia Kato 14:3, mia.katojeexample.com, 555-201-33', training)).toEqual(['mia.kato@example.com', '555-201-3344']);
    expect(leakedPII('{"answer": "x"}\nMia Kato |||EMAIL_ADDRESS|||, |||PHONE_NUMBER|||', training)).toEqual([]);
    expect(leakedPII('{"answer": "555-999-1234"}', training)).toEqual([]);
  });
});
