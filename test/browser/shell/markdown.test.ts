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

  it('drops style attributes from the text but keeps KaTeX\'s own layout styles', () => {
    const overlay = '<div style="position:fixed;inset:0;z-index:99999">Session expired <a href="https://attacker.example/">Log in again</a></div>';
    const div = document.createElement('div');
    div.innerHTML = renderMarkdown(`${overlay}\n\n<span style="color:red">x</span> and $\\sqrt{x^2}$ and <svg style="position:fixed"><rect style="x:0" /></svg>`);
    expect(div.textContent).toContain('Log in again');
    const styled = [...div.querySelectorAll('[style]')];
    expect(styled.length).toBeGreaterThan(0); // KaTeX's struts and vertical alignment
    for (const el of styled) expect(el.closest('.katex'), el.outerHTML).not.toBeNull();
    expect(div.innerHTML).not.toMatch(/position:\s*fixed|z-index/);
    // the square root's sign is KaTeX's own SVG
    expect(div.querySelector('.katex svg path')).not.toBeNull();
  });

  it('text cannot forge a maths placeholder, and oversized or unparsable input renders as plain text', () => {
    const forged = renderMarkdown('<span class="m00-0"></span> $x$ <span class="m00-1"></span>');
    expect(forged).toContain('m00-0');
    expect(forged.match(/class="katex"/g)).toHaveLength(1);
    const huge = 'hello world '.repeat(900_000);
    const html = renderMarkdown(huge);
    expect(html.startsWith('<div class="md-plain">hello world')).toBe(true);
    // deeply nested quotes: rendered, or shown as text, never thrown
    expect(renderMarkdown('> '.repeat(40_000) + 'deep')).toContain('deep');
  });

  it('leaves dollar amounts as text', () => {
    const html = renderMarkdown('It costs $5 and $6 today.');
    expect(html).not.toContain('katex');
  });
});
