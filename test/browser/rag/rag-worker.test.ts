/**
 * In real Chromium: voy's WebAssembly loads without a bundler plugin (the `?url` asset path),
 * and the RAG worker parses PDFs with pdf.js imported on demand inside the worker.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { VoyIndex } from '../../../src/lib/rag/voy-index';
import { voyWasmBytes } from '../../../src/lib/rag/voy-browser';
import { FlatIndex } from '../../../src/lib/rag/vector-index';
import { ragErrorFromData } from '../../../src/lib/rag/errors';
import { createRagClient } from '../../../src/lib/rag/client';
import { makePdf } from '../../fixtures/rag/make-pdf';
import { createRagApi } from '../../../src/lib/rag/worker-api';
import { pdfjsLoader } from '../../../src/lib/rag/pdf-browser';

const client = createRagClient();
afterAll(() => client.dispose());

const asFile = (name: string, bytes: Uint8Array, type = '') => ({ name, type, size: bytes.length, bytes: bytes.slice().buffer });

describe('voy in the browser', () => {
  it('loads its wasm from the asset URL and agrees with the flat index', async () => {
    const d = 16;
    const n = 200;
    const vecs = Float32Array.from({ length: n * d }, (_, i) => Math.sin(i * 1.7));
    const ids = Array.from({ length: n }, (_, i) => `v${i}`);
    const voy = await VoyIndex.create(d, voyWasmBytes);
    const flat = new FlatIndex(d);
    voy.add(ids, vecs);
    flat.add(ids, vecs);
    const q = Float32Array.from({ length: d }, (_, i) => Math.cos(i));
    expect(voy.search(q, 5).map((h) => h.id)).toEqual(flat.search(q, 5).map((h) => h.id));
    voy.free();
  });
});

describe('RAG worker', () => {
  it('extracts PDF text with page numbers (pdf.js loaded in the worker), and reports bad files as data', async () => {
    const files = [
      asFile('two-pages.pdf', makePdf(['First page about embeddings.', 'Second page about retrieval.']), 'application/pdf'),
      asFile('secret.pdf', makePdf(['hidden'], { encrypt: true }), 'application/pdf'),
      asFile('broken.pdf', new TextEncoder().encode('%PDF-1.4 nothing else')),
      asFile('empty.txt', new Uint8Array(0)),
      asFile('page.html', new TextEncoder().encode('<h1>Title</h1><script>alert(1)</script><p>Body text.</p>'), 'text/html'),
    ];
    const res = await client.call('prepare', [files, { kind: 'sentence', size: 32, overlap: 0 }, undefined]);
    expect(res.map((r) => r.ok)).toEqual([true, false, false, false, true]);
    const pdf = res[0];
    if (!pdf.ok) throw new Error('expected the PDF to load');
    expect(pdf.pages).toEqual([0, 30]);
    expect(pdf.chunks.map((c) => c.page)).toEqual([1, 2]);
    expect(pdf.hash).toMatch(/^[0-9a-f]{64}$/);
    const codes = res.slice(1, 4).map((r) => (r.ok ? '' : (ragErrorFromData(r.error) as Error & { code?: string }).code));
    expect(codes).toEqual(['pdf-encrypted', 'pdf-corrupt', 'empty']);
    const html = res[4];
    expect(html.ok && html.text).toBe('Title\n\nBody text.');
  });

  it('splits with the token splitter (BPE trained in the worker) and embeds lexically', async () => {
    const text = 'Retrieval finds passages. '.repeat(40);
    const spans = await client.call('split', [text, { kind: 'token', size: 20, overlap: 4, bpeVocab: 300 }]);
    expect(spans.length).toBeGreaterThan(2);
    for (const s of spans) expect(text.slice(s.start, s.end)).toBe(s.text);
    const vecs = await client.call('embedLexical', [['a b c', 'd e f'], 768]);
    expect(vecs.length).toBe(2 * 768);
  });
});

describe('RAG API on the page (the fallback where workers are unavailable)', () => {
  it('reads a PDF with pdf.js imported from the same asset file the worker uses', async () => {
    const api = createRagApi({ loadPdfjs: pdfjsLoader() });
    const ctx = { signal: new AbortController().signal, progress: async () => {} };
    const [pdf] = await api.prepare([asFile('p.pdf', makePdf(['Page one text.', 'Page two text.']), 'application/pdf')], { kind: 'sentence', size: 32, overlap: 0 }, 16, ctx);
    expect(pdf.ok && pdf.pages).toEqual([0, 16]);
    expect(pdf.ok && pdf.vectors?.length).toBe(pdf.ok ? pdf.chunks.length * 16 : -1);
  });
});
