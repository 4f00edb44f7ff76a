/**
 * voy's k-d tree on the app's own data: the built-in collections (hashed lexical vectors, ~95 %
 * zeros) used to panic inside the wasm ("unreachable"); vectors are now rotated before voy sees
 * them, and voy must return the flat index's neighbours.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VOY_BUCKET, VOY_MAX_DIMS, VoyIndex, voyRotate } from '../../../src/lib/rag/voy-index';
import { buildRegisterCollection } from '../../../src/lib/rag/register';
import { buildCourseCollection, courseDocuments } from '../../../src/lib/rag/course';
import { FlatIndex } from '../../../src/lib/rag/vector-index';
import { LabError } from '../../../src/lib/errors';
import type { LessonPart } from '../../../src/curriculum/types';

const voyWasm = async () => readFileSync('node_modules/voy-search/voy_search_bg.wasm');
const lessons = import.meta.glob<{ default: LessonPart }>('/src/curriculum/lessons/*/*.ts', { eager: true });

async function builtIn() {
  const course = await buildCourseCollection(courseDocuments(Object.entries(lessons).map(([path, m]) => ({ path, part: m.default }))));
  return { register: await buildRegisterCollection(), course };
}

describe('voy on the built-in collections', () => {
  it('the rotation keeps dot products and lengths, and makes sparse vectors dense', () => {
    const a = new Float32Array(100), b = new Float32Array(100);
    a[3] = 1; a[40] = -2; b[3] = 0.5; b[99] = 4;
    const ra = voyRotate(a), rb = voyRotate(b);
    expect(ra.length).toBe(VOY_MAX_DIMS);
    const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * (y[i] ?? 0), 0);
    expect(dot(ra, rb)).toBeCloseTo(dot(a, b), 4);
    expect(dot(ra, ra)).toBeCloseTo(dot(a, a), 4);
    expect(ra.filter((v) => v === 0).length).toBe(0);
  });

  it('builds for both collections and finds the flat index’s neighbours', async () => {
    const cols = await builtIn();
    for (const [name, col] of Object.entries(cols)) {
      const flat = col.retriever.index as FlatIndex;
      const ids = col.chunks.map((c) => c.id);
      const voy = await VoyIndex.create(flat.dims, voyWasm);
      voy.add(ids, flat.vectors.subarray(0, ids.length * flat.dims));
      expect(voy.size, name).toBe(ids.length);
      for (const i of [0, 7, Math.floor(ids.length / 2), ids.length - 1]) {
        const q = flat.vectors.slice(i * flat.dims, (i + 1) * flat.dims);
        const want = flat.search(q, 5), got = voy.search(q, 5);
        expect(got[0]!.id, `${name} query ${i}`).toBe(want[0]!.id);
        got.forEach((h, j) => expect(h.score!, `${name} query ${i} hit ${j}`).toBeCloseTo(want[j]!.score!, 4));
      }
      voy.free();
    }
  });

  it(`refuses more than ${VOY_BUCKET} identical vectors with an explanation, before voy panics`, async () => {
    const d = 16, n = VOY_BUCKET + 1;
    const vecs = new Float32Array(n * d);
    for (let i = 0; i < n; i++) vecs[i * d + 2] = 1; // n copies of one vector
    const voy = await VoyIndex.create(d, voyWasm);
    const err = (() => { try { voy.add(Array.from({ length: n }, (_, i) => `c${i}`), vecs); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe('unsupported');
    expect((err as LabError).hint).toMatch(/flat index/);
    expect(voy.size).toBe(0);
    voy.add(['ok'], vecs.subarray(0, d)); // still usable
    expect(voy.search(vecs.subarray(0, d), 1)[0]!.id).toBe('ok');
    voy.free();
  });
});
