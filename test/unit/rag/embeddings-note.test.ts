/** The embeddings lab's note, checked: repetition does not change the cosine; it grows the raw dot product. */
import { describe, expect, it } from 'vitest';
import { LexicalEmbedder } from '../../../src/lib/rag/embedders';

describe('cosine vs raw dot product (the lab note)', () => {
  it('"cars" and "cars cars cars" get the same cosine; the raw dot product grows', async () => {
    const e = new LexicalEmbedder();
    const [q, one, many] = await e.embed(['which cars are fast?', 'cars', 'cars cars cars cars cars'], 'document');
    const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * y[i]!, 0);
    expect(dot(q!, one!)).toBeCloseTo(dot(q!, many!), 6);
    const rawQ = e.termVector('which cars are fast?');
    expect(dot(rawQ, e.termVector('cars cars cars cars cars'))).toBeGreaterThan(dot(rawQ, e.termVector('cars')));
  });
});
