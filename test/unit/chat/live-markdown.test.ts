import { describe, expect, it } from 'vitest';
import { splitLiveMarkdown } from '../../../src/lib/chat/live-markdown';

describe('splitLiveMarkdown', () => {
  it('paragraphs before a blank line are complete; the rest is the tail', () => {
    expect(splitLiveMarkdown('# Title\n\nSome **bold** text.\n\nStill typ')).toEqual({ blocks: ['# Title', 'Some **bold** text.'], tail: 'Still typ' });
    expect(splitLiveMarkdown('no newline yet')).toEqual({ blocks: [], tail: 'no newline yet' });
    expect(splitLiveMarkdown('')).toEqual({ blocks: [], tail: '' });
  });

  it('never splits inside a code fence or a $$ maths block', () => {
    const code = 'Intro\n\n```js\nlet a = 1;\n\nlet b = 2;\n```\n\nAfter';
    expect(splitLiveMarkdown(code)).toEqual({ blocks: ['Intro', '```js\nlet a = 1;\n\nlet b = 2;\n```'], tail: 'After' });
    const open = 'Intro\n\n```py\nx = 1\n\ny';
    expect(splitLiveMarkdown(open)).toEqual({ blocks: ['Intro'], tail: '```py\nx = 1\n\ny' });
    const maths = '$$\na\n\nb\n$$\n\nx';
    expect(splitLiveMarkdown(maths)).toEqual({ blocks: ['$$\na\n\nb\n$$'], tail: 'x' });
  });

  it('a longer fence closes only with a fence at least as long', () => {
    const t = '````\n```\ninner\n```\n\nstill code\n````\n\nend';
    expect(splitLiveMarkdown(t).blocks).toEqual(['````\n```\ninner\n```\n\nstill code\n````']);
  });

  it('blocks and tail rebuild the text (modulo the blank lines between blocks)', () => {
    const t = 'a\n\n\n\nb\n\nc';
    const r = splitLiveMarkdown(t);
    expect(r).toEqual({ blocks: ['a', 'b'], tail: 'c' });
  });
});
