/** State of the embeddings lab: embeds the texts and the query, projects them, ranks neighbours. */
import { LexicalEmbedder, type Embedder } from '../../lib/rag/embedders';
import { pca2 } from '../../lib/rag/projection';

export interface Neighbour {
  index: number;
  text: string;
  cosine: number;
  /** dot product of the raw (un-normalised) term vectors (lexical only) */
  rawDot: number | null;
  nonZero: number;
}

export class EmbeddingsRun {
  points = $state<Array<{ x: number; y: number; label: string; emphasis: boolean }>>([]);
  neighbours = $state<Neighbour[]>([]);
  dims = $state(0);
  ms = $state(0);
  error = $state('');

  private clear(): void {
    this.points = [];
    this.neighbours = [];
    this.dims = 0;
  }

  /** Embeds `texts` (one per line) and `query`; fills the plot and the neighbour table. */
  async run(textsSrc: string, query: string, embedder: Embedder = new LexicalEmbedder()): Promise<boolean> {
    this.error = '';
    const texts = textsSrc.split('\n').map((t) => t.trim()).filter(Boolean).slice(0, 40);
    if (texts.length < 2) {
      // nothing to compare: clear the last run so an old plot is not taken for this input
      this.clear();
      this.error = `Enter at least two texts, one per line (there ${texts.length === 1 ? 'is one' : 'are none'}): similarity compares a query with several texts.`;
      return false;
    }
    if (!query.trim()) {
      this.clear();
      this.error = 'Enter a query to compare the texts with.';
      return false;
    }
    const t0 = performance.now();
    const docs = await embedder.embed(texts, 'document');
    const dims = docs[0].length;
    const flat = new Float32Array(texts.length * dims);
    docs.forEach((v, i) => flat.set(v, i * dims));
    // lexical: IDF from these texts, applied to the query (see LexicalEmbedder)
    const lexical = embedder instanceof LexicalEmbedder ? embedder : null;
    lexical?.setIdfFrom(flat, texts.length);
    const [q] = await embedder.embed([query], 'query');
    const rawQ = lexical?.termVector(query);
    this.ms = performance.now() - t0;
    this.dims = dims;
    const all = new Float32Array((texts.length + 1) * dims);
    all.set(flat);
    all.set(q, texts.length * dims);
    const proj = pca2(all, texts.length + 1, dims);
    this.points = proj.map(([x, y], i) => ({ x, y, label: i < texts.length ? String(i + 1) : 'Q', emphasis: i === texts.length }));
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, j) => s + v * b[j], 0);
    this.neighbours = docs
      .map((d, i) => ({ index: i + 1, text: texts[i], cosine: dot(d, q), rawDot: lexical && rawQ ? dot(lexical.termVector(texts[i]), rawQ) : null, nonZero: d.filter((x) => x !== 0).length }))
      .sort((a, b) => b.cosine - a.cosine);
    return true;
  }
}
