import { describe, expect, it } from 'vitest';
import { markdownToPlain, texToPlain } from '../../../src/lib/rag/plain';

describe('markdownToPlain (retrieved chunks shown as text)', () => {
  it('drops headings, emphasis, code ticks, links and list markers but keeps every word', () => {
    const md = '## Why chunks overlap\nA **chunk** is a *piece* of `text`; see [the plan](https://x.y/z).\n- first\n- second';
    expect(markdownToPlain(md)).toBe('Why chunks overlap\nA chunk is a piece of text; see the plan.\n• first\n• second');
  });
  it('keeps snake_case and arithmetic asterisks', () => {
    expect(markdownToPlain('set max_tokens to 2 * 3 and top_p')).toBe('set max_tokens to 2 * 3 and top_p');
  });
  it('turns tables into rows of cells, without the separator row', () => {
    const md = '| index | build ms |\n|---|:---:|\n| flat | 3 |';
    expect(markdownToPlain(md)).toBe('index · build ms\nflat · 3');
  });
  it('unwraps display and inline maths into readable text', () => {
    const md = 'The score is\n$$\n\\mathrm{idf}(t) = \\ln\\left(1 + \\frac{N - df}{df}\\right)\n$$\nwith $k_1 \\cdot b$ fixed.';
    const plain = markdownToPlain(md);
    expect(plain).not.toMatch(/\$|\\|\{|\}/);
    expect(plain).toContain('idf(t) = ln(1 + (N - df)/(df))');
    expect(plain).toContain('with k_1 · b fixed.');
    expect(texToPlain('x \\le \\sqrt{d}')).toBe('x ≤ √(d)');
  });
  it('leaves plain text (the town register) unchanged', () => {
    const t = 'Mosan lives in Dakar. Mosan works as a baker.';
    expect(markdownToPlain(t)).toBe(t);
  });
});
