/**
 * Markdown → sanitized HTML for lesson text and model output: marked (GFM) + KaTeX maths
 * (`$…$`, `$$…$$`) + highlight.js for fenced code, then DOMPurify. Links open in a new tab
 * without opener; `javascript:` and other active content are removed. Browser-only (DOMPurify).
 *
 * `style` attributes are removed from everything the text itself contains (a model reply with
 * `<div style="position:fixed;inset:0">` must not cover the page). KaTeX needs inline styles for
 * its layout, and its output is ours (generated from the maths with `trust: false`), so maths is
 * rendered into an empty placeholder whose class carries a random per-render nonce; the
 * placeholders are filled with KaTeX's HTML only after the text has been sanitized. Text cannot
 * forge a placeholder without the nonce.
 *
 * Rendering never throws: input beyond `MARKDOWN_MAX_CHARS`, or that marked cannot parse (its
 * recursion overflows the stack on multi-megabyte paragraphs), is shown as escaped plain text.
 */
import { Marked, type TokenizerAndRendererExtension } from 'marked';
import DOMPurify from 'dompurify';
import katex from 'katex';
import hljs from 'highlight.js/lib/core';
import typescript from 'highlight.js/lib/languages/typescript';
import javascript from 'highlight.js/lib/languages/javascript';
import python from 'highlight.js/lib/languages/python';
import json from 'highlight.js/lib/languages/json';
import bash from 'highlight.js/lib/languages/bash';
import xml from 'highlight.js/lib/languages/xml';

hljs.registerLanguage('typescript', typescript);
hljs.registerLanguage('ts', typescript);
hljs.registerLanguage('javascript', javascript);
hljs.registerLanguage('js', javascript);
hljs.registerLanguage('python', python);
hljs.registerLanguage('py', python);
hljs.registerLanguage('json', json);
hljs.registerLanguage('bash', bash);
hljs.registerLanguage('sh', bash);
hljs.registerLanguage('html', xml);
hljs.registerLanguage('xml', xml);

/** Longest source rendered as Markdown; callers show longer text in parts (see ChatMessage). */
export const MARKDOWN_MAX_CHARS = 100_000;

/** KaTeX HTML of the render in progress, and the nonce naming its placeholders. */
let mathSlots: string[] | null = null;
let mathNonce = '';

function renderMath(tex: string, displayMode: boolean): string {
  let html: string;
  try {
    html = katex.renderToString(tex, { displayMode, throwOnError: false, strict: 'ignore', trust: false, maxExpand: 500, maxSize: 20 });
  } catch {
    html = `<code>${escapeHtml(tex)}</code>`;
  }
  if (!mathSlots) return sanitizeMath(html);
  mathSlots.push(html);
  return `<span class="${mathNonce}-${mathSlots.length - 1}"></span>`;
}

function newNonce(): string {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return 'm' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

const blockMath: TokenizerAndRendererExtension = {
  name: 'blockMath',
  level: 'block',
  start: (src) => src.match(/^\$\$/m)?.index,
  tokenizer(src) {
    const m = /^\$\$([\s\S]+?)\$\$(?:\n|$)/.exec(src);
    if (m) return { type: 'blockMath', raw: m[0], text: m[1].trim() };
    return undefined;
  },
  renderer: (tok) => `<div class="math-block">${renderMath(String(tok.text), true)}</div>`,
};

const inlineMath: TokenizerAndRendererExtension = {
  name: 'inlineMath',
  level: 'inline',
  start: (src) => src.indexOf('$'),
  tokenizer(src) {
    // `$x$` with no space just inside the dollars, so prices like "$5 and $6" stay text.
    const m = /^\$(?!\s)((?:\\\$|[^$\n])+?)(?<!\s)\$(?!\d)/.exec(src);
    if (m) return { type: 'inlineMath', raw: m[0], text: m[1] };
    return undefined;
  },
  renderer: (tok) => renderMath(String(tok.text), false),
};

const marked = new Marked({
  gfm: true,
  breaks: false,
  extensions: [blockMath, inlineMath],
  renderer: {
    code({ text, lang }) {
      const language = (lang ?? '').trim().split(/\s+/)[0].toLowerCase();
      const html = language && hljs.getLanguage(language) ? hljs.highlight(text, { language }).value : escapeHtml(text);
      return `<pre class="code"><code class="hljs${language ? ` language-${escapeHtml(language)}` : ''}">${html}</code></pre>`;
    },
  },
});

let hooked = false;
function ensureHooks(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A') {
      const href = node.getAttribute('href') ?? '';
      if (/^https?:/i.test(href)) {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer');
      }
    }
  });
}

/** Renders Markdown to sanitized HTML that is safe to insert with `{@html}`; never throws. */
export function renderMarkdown(source: string): string {
  ensureHooks();
  const text = String(source ?? '');
  if (text.length > MARKDOWN_MAX_CHARS) return plainHtml(text);
  mathSlots = [];
  mathNonce = newNonce();
  try {
    const raw = marked.parse(text, { async: false }) as string;
    const slots = mathSlots;
    const nonce = mathNonce;
    const clean = sanitizeHtml(raw);
    if (!slots.length) return clean;
    return clean.replace(new RegExp(`<span class="${nonce}-(\\d+)"></span>`, 'g'), (_, i: string) => sanitizeMath(slots[Number(i)] ?? ''));
  } catch {
    return plainHtml(text);
  } finally {
    mathSlots = null;
  }
}

/** Text shown as it is (escaped), keeping its line breaks: the fallback for what marked cannot take. */
export function plainHtml(text: string): string {
  return `<div class="md-plain">${escapeHtml(text)}</div>`;
}

const FORBID_TAGS = ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed', 'script', 'base', 'meta', 'link'];

/** Sanitizes an HTML string (no scripts, handlers, inline styles, javascript: URLs, forms or frames). */
export function sanitizeHtml(html: string): string {
  ensureHooks();
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true, mathMl: true, svg: true },
    FORBID_TAGS,
    FORBID_ATTR: ['style', 'srcdoc', 'formaction', 'xlink:href', 'action'],
    ALLOW_DATA_ATTR: false,
  });
}

/** KaTeX's own output: the same rules, except that its inline layout styles stay. */
function sanitizeMath(html: string): string {
  ensureHooks();
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true, mathMl: true, svg: true },
    FORBID_TAGS,
    FORBID_ATTR: ['srcdoc', 'formaction', 'xlink:href', 'action'],
    ALLOW_DATA_ATTR: false,
  });
}

/** Escapes text for HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
