import { afterEach, describe, expect, it } from 'vitest';
import { render } from '@testing-library/svelte';
import Markdown from '../../../src/ui/Markdown.svelte';
import { renderMarkdown } from '../../../src/ui/markdown/render';

declare global {
  interface Window {
    __xss?: number;
  }
}

const PAYLOADS = [
  '<img src=x onerror="window.__xss=(window.__xss||0)+1">',
  '[click](javascript:window.__xss=1)',
  '<svg onload="window.__xss=1"><circle r=5 /></svg>',
  '<script>window.__xss=1</script>',
  '<iframe src="javascript:window.__xss=1"></iframe>',
  '<a href="JaVaScRiPt:window.__xss=1">x</a>',
  '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=1">',
  '<form action="javascript:window.__xss=1"><button>go</button></form>',
  '<div style="background:url(javascript:window.__xss=1)">x</div>',
  '<object data="javascript:window.__xss=1"></object>',
  '<details open ontoggle="window.__xss=1">x</details>',
  '![img](x" onerror="window.__xss=1)',
  '$\\href{javascript:window.__xss=1}{x}$',
  '<a href="data:text/html,<script>window.__xss=1</script>">d</a>',
];

afterEach(() => {
  document.body.innerHTML = '';
  delete window.__xss;
});

describe('Markdown rendering is sanitized', () => {
  it('renders no executable content for hostile inputs and nothing executes', async () => {
    const { container } = render(Markdown, { source: PAYLOADS.join('\n\n') });
    await new Promise((r) => setTimeout(r, 300));
    expect(window.__xss).toBeUndefined();
    const html = container.innerHTML;
    expect(container.querySelectorAll('script, iframe, object, embed, form').length).toBe(0);
    for (const el of container.querySelectorAll('*')) {
      for (const attr of el.attributes) {
        expect(attr.name.startsWith('on'), `${el.tagName} has ${attr.name}`).toBe(false);
        expect(/^\s*(javascript|data:text\/html)/i.test(attr.value), `${el.tagName} ${attr.name}=${attr.value}`).toBe(false);
      }
    }
    expect(html).not.toMatch(/javascript:/i);
  });

  it('still renders markdown, maths and highlighted code', () => {
    const html = renderMarkdown('# Title\n\nSome **bold** and $x^2$.\n\n$$\\frac{a}{b}$$\n\n```ts\nconst a = 1;\n```\n\n[link](https://example.com)');
    const div = document.createElement('div');
    div.innerHTML = html;
    expect(div.querySelector('h1')?.textContent).toBe('Title');
    expect(div.querySelector('strong')?.textContent).toBe('bold');
    expect(div.querySelectorAll('.katex').length).toBeGreaterThanOrEqual(2);
    expect(div.querySelector('pre code .hljs-keyword')?.textContent).toBe('const');
    const a = div.querySelector('a')!;
    expect(a.getAttribute('target')).toBe('_blank');
    expect(a.getAttribute('rel')).toContain('noopener');
  });

  it('leaves dollar amounts as text', () => {
    const html = renderMarkdown('It costs $5 and $6 today.');
    expect(html).not.toContain('katex');
  });
});
