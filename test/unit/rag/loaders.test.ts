import { describe, expect, it } from 'vitest';
import { loadDocument, htmlToText, MAX_FILE_BYTES, type FileLike } from '../../../src/lib/rag/loaders';
import { RagError } from '../../../src/lib/rag/errors';
import { pageAt, type PdfjsLike } from '../../../src/lib/rag/pdf';
import { makePdf } from '../../fixtures/rag/make-pdf';

const file = (name: string, bytes: Uint8Array | string, type?: string): FileLike => {
  const b = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  return { name, size: b.length, type, arrayBuffer: async () => b.slice().buffer };
};
const loadPdfjs = async () => (await import('pdfjs-dist/legacy/build/pdf.mjs')) as unknown as PdfjsLike;

async function rejection(p: Promise<unknown>): Promise<RagError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(RagError);
    return e as RagError;
  }
  throw new Error('expected a rejection');
}

describe('loaders: good input', () => {
  it('loads UTF-8 text and drops a BOM, normalises CRLF', async () => {
    const doc = await loadDocument(file('a.txt', '\uFEFFhello\r\nwörld'));
    expect(doc).toMatchObject({ kind: 'text', text: 'hello\nwörld', mime: 'text/plain' });
  });
  it('keeps Markdown as written', async () => {
    const doc = await loadDocument(file('notes.md', '# Title\n\nBody *text*'));
    expect(doc.kind).toBe('markdown');
    expect(doc.text).toBe('# Title\n\nBody *text*');
  });
  it('extracts PDF text page by page with page offsets', async () => {
    const doc = await loadDocument(file('two.pdf', makePdf(['Alpha page one', 'Beta page two'])), { loadPdfjs });
    expect(doc.kind).toBe('pdf');
    expect(doc.text).toBe('Alpha page one\n\nBeta page two');
    expect(doc.pages).toEqual([0, 16]);
    expect(pageAt(doc.pages, doc.text.indexOf('Beta'))).toBe(2);
    expect(pageAt(doc.pages, 3)).toBe(1);
  });
});

describe('loaders: bad input gets a clear RagError', () => {
  it('empty file', async () => {
    const e = await rejection(loadDocument(file('empty.txt', '')));
    expect(e.code).toBe('empty');
    expect(e.message).toContain('empty.txt');
  });
  it('whitespace-only file', async () => {
    expect((await rejection(loadDocument(file('blank.md', ' \n\n ')))).code).toBe('empty');
  });
  it('binary file renamed .txt', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    const e = await rejection(loadDocument(file('photo.txt', png)));
    expect(e.code).toBe('binary');
    expect(e.message).toMatch(/binary.*\.txt/);
  });
  it('a 200 MiB file is refused by size before it is read', async () => {
    let read = false;
    const huge: FileLike = { name: 'huge.txt', size: 200 * 1024 * 1024, arrayBuffer: async () => ((read = true), new ArrayBuffer(0)) };
    const e = await rejection(loadDocument(huge));
    expect(e.code).toBe('too-large');
    expect(e.message).toContain('200 MiB');
    expect(read).toBe(false);
    expect(MAX_FILE_BYTES).toBeLessThan(200 * 1024 * 1024);
  });
  it('non-UTF-8 (Latin-1) text', async () => {
    const latin1 = new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6e, 0x61, 0xef, 0x76, 0x65]); // "café naïve"
    const e = await rejection(loadDocument(file('latin1.txt', latin1)));
    expect(e.code).toBe('encoding');
    expect(e.hint).toMatch(/UTF-8/);
  });
  it('corrupt PDF', async () => {
    const e = await rejection(loadDocument(file('broken.pdf', '%PDF-1.4\n1 0 obj garbage'), { loadPdfjs }));
    expect(e.code).toBe('pdf-corrupt');
  });
  it('truncated PDF', async () => {
    const good = makePdf(['Some text']);
    const e = await rejection(loadDocument(file('cut.pdf', good.slice(0, 120)), { loadPdfjs }));
    expect(['pdf-corrupt', 'pdf-no-text']).toContain(e.code);
  });
  it('encrypted PDF', async () => {
    const e = await rejection(loadDocument(file('secret.pdf', makePdf(['x'], { encrypt: true })), { loadPdfjs }));
    expect(e.code).toBe('pdf-encrypted');
    expect(e.message).toMatch(/password/);
  });
});

describe('HTML to text', () => {
  it('drops scripts, styles and event-handler markup, keeps readable text', () => {
    const html = `<html><head><title>Doc</title><style>p{color:red}</style><script>alert(1)</script></head>
      <body><h1>Heading</h1><p onclick="evil()">One &amp; two&nbsp;three</p><script type="module">steal()</script>
      <ul><li>item</li></ul><!-- <script>x</script> --><p>caf&#233; &#x2713;</p><noscript>no js</noscript></body></html>`;
    const { text, removed } = htmlToText(html);
    expect(text).toBe('Doc\n\nHeading\n\nOne & two three\n\nitem\n\ncafé ✓');
    expect(text).not.toMatch(/alert|steal|evil|color/);
    expect(removed).toBe(4);
  });
  it('an unclosed script swallows the rest, as in a browser', () => {
    expect(htmlToText('<p>ok</p><script>var a = "<p>never</p>"').text).toBe('ok');
  });
  it('loader reports removed scripts in its notes', async () => {
    const doc = await loadDocument(file('page.html', '<p>Hi</p><script>x()</script>'));
    expect(doc.text).toBe('Hi');
    expect(doc.notes.join()).toMatch(/1 script/);
  });
});

describe('HTML to text is linear (no regex rescans)', () => {
  // Before: each "<" without a ">" after it made `<[^>]*>`-style regexes rescan to the end (400 KB: 29 s).
  const time = (html: string) => {
    const t0 = performance.now();
    const out = htmlToText(html);
    return { ms: performance.now() - t0, out };
  };
  /** Time of 5 MB vs 500 KB of `unit`: linear is ~10×, quadratic ~100×. Bounds are loose for a busy machine. */
  const scaling = (unit: string) => {
    const make = (bytes: number) => '<p>start</p>' + unit.repeat(Math.ceil(bytes / unit.length));
    const small = Math.max(time(make(5e5)).ms, 10);
    const big = time(make(5e6));
    return { ratio: big.ms / small, ms: big.ms, out: big.out };
  };
  it('5 MB of "<" with no closing ">" takes well under a second', () => {
    // 200 KB first, so the quadratic version fails here in seconds instead of hanging for an hour on 5 MB
    expect(time('<a x'.repeat(50_000)).ms).toBeLessThan(2000);
    const { ms, ratio, out } = scaling('<a x');
    expect(ms).toBeLessThan(3000); // ~0.1 s on a quiet machine (was about an hour)
    expect(ratio).toBeLessThan(30);
    expect(out.text.startsWith('start')).toBe(true);
  });
  it('5 MB of unclosed comments, scripts, stray "<" or dense tags stays linear too', () => {
    for (const unit of ['<!--', '<script', '< b ', '</div', '<title', '<p>a</p>\n']) {
      const { ms, ratio } = scaling(unit);
      expect(ms, unit).toBeLessThan(3000);
      expect(ratio, unit).toBeLessThan(30);
    }
  });
  it('keeps the readable text around stray "<" and tags without ">"', () => {
    expect(htmlToText('<p>a < b and c<d</p><p>next</p>').text).toBe('a < b and c\n\nnext');
    expect(htmlToText('<p>x</p><div class="y"').text).toBe('x\n\n<div class="y"');
    expect(htmlToText('<!DOCTYPE html><HTML><Body><P>Up&amp;down</P><SCRIPT>x</SCRIPT ></Body>').text).toBe('Up&down');
    expect(htmlToText('<p>a</p><!-- unclosed <p>hidden</p>').text).toBe('a');
    // whitespace as before: runs collapse, breaks merge to at most one empty line, <head> text other than <title> is not shown
    expect(htmlToText('x \t  y<br> <br>z<p>\n\n\n</p><p>w</p><b>u</b>\n<i>v</i>').text).toBe('x y\n\nz\n\nw\n\nu\nv');
    expect(htmlToText('<html><head><title>T &amp; U</title><meta charset="utf-8"><script>s()</script></head><body><p>Body</p></body></html>')).toEqual({ text: 'T & U\n\nBody', removed: 1 });
  });
});

describe('messages for encodings and sizes', () => {
  const utf16 = (s: string, order: 'le' | 'be') => {
    const out = new Uint8Array(2 + s.length * 2);
    out.set(order === 'le' ? [0xff, 0xfe] : [0xfe, 0xff]);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      out[2 + 2 * i + (order === 'le' ? 0 : 1)] = c & 255;
      out[2 + 2 * i + (order === 'le' ? 1 : 0)] = c >> 8;
    }
    return out;
  };
  it('UTF-16 LE and BE files with a BOM are decoded, not called binary', async () => {
    for (const order of ['le', 'be'] as const) {
      const doc = await loadDocument(file(`notes-${order}.txt`, utf16('Grüße, 世界\r\nline two', order)));
      expect(doc.text).toBe('Grüße, 世界\nline two');
    }
    const html = await loadDocument(file('page.html', utf16('<p>Hallo</p><script>x</script>', 'le')));
    expect(html.text).toBe('Hallo');
  });
  it('UTF-16 cut in the middle of a character gets an encoding error', async () => {
    const e = await rejection(loadDocument(file('cut.txt', utf16('abc', 'le').slice(0, 7))));
    expect(e.code).toBe('encoding');
  });
  it('50 MB + 1 byte says which number is bigger', async () => {
    const e = await rejection(loadDocument({ name: 'big.txt', size: MAX_FILE_BYTES + 1, arrayBuffer: async () => new ArrayBuffer(0) }));
    expect(e.code).toBe('too-large');
    expect(e.message).toBe('“big.txt” is 52,428,801 bytes; the limit is 52,428,800 bytes (50 MiB).');
    const e2 = await rejection(loadDocument({ name: 'b.txt', size: MAX_FILE_BYTES + 300_000, arrayBuffer: async () => new ArrayBuffer(0) }));
    expect(e2.message).toBe('“b.txt” is 50.3 MiB; the limit is 50.0 MiB.');
  });
});
