/**
 * A paged KV cache (vLLM's PagedAttention memory manager, Kwon et al. 2023): the cache is a pool of
 * fixed-size blocks (16 token slots each); every sequence owns a block table mapping its positions
 * to blocks, so a sequence wastes at most one partly filled block instead of a reservation for the
 * maximum length. Blocks are reference-counted: a sequence forked from another (a shared prompt
 * prefix, parallel samples) shares its blocks, and the first write into a shared, partly filled
 * last block copies it (copy-on-write).
 *
 * Storage per layer: K and V as [numBlocks · blockSize, Ckv] (Ckv = KV heads · head dim); the
 * physical row of position p of a sequence is table[p / blockSize] · blockSize + p % blockSize.
 * Framework-free.
 */
import { LabError } from '../errors';

export const BLOCK_SIZE = 16;

/** Free list and reference counts of a pool of blocks. */
export class BlockAllocator {
  private readonly free: number[];
  private readonly refs: Int32Array;

  constructor(readonly numBlocks: number) {
    // Pop from the end: block 0 is handed out first.
    this.free = Array.from({ length: numBlocks }, (_, i) => numBlocks - 1 - i);
    this.refs = new Int32Array(numBlocks);
  }

  /** Takes a free block (reference count 1). */
  alloc(): number {
    const b = this.free.pop();
    if (b === undefined) throw new LabError('too-large', 'The KV cache has no free block left.', 'Admit fewer requests at once or give the cache more blocks.');
    this.refs[b] = 1;
    return b;
  }

  retain(b: number): void {
    this.refs[b]++;
  }

  /** Drops one reference; the block returns to the free list at zero. */
  release(b: number): void {
    if (this.refs[b] <= 0) throw new Error(`block ${b} released more often than taken`);
    if (--this.refs[b] === 0) this.free.push(b);
  }

  refCount(b: number): number {
    return this.refs[b];
  }

  get freeCount(): number {
    return this.free.length;
  }
}

interface SeqTable {
  blocks: number[];
  len: number;
}

/** Paged K/V storage for many sequences of one model. */
export class PagedKVCache {
  readonly k: Float32Array[];
  readonly v: Float32Array[];
  readonly alloc: BlockAllocator;
  private readonly seqs = new Map<number, SeqTable>();
  /** Blocks copied by copy-on-write so far. */
  copies = 0;

  constructor(readonly layers: number, readonly ckv: number, numBlocks: number, readonly blockSize = BLOCK_SIZE) {
    this.alloc = new BlockAllocator(numBlocks);
    this.k = Array.from({ length: layers }, () => new Float32Array(numBlocks * blockSize * ckv));
    this.v = Array.from({ length: layers }, () => new Float32Array(numBlocks * blockSize * ckv));
  }

  /** Starts an empty sequence. */
  create(id: number): void {
    if (this.seqs.has(id)) throw new Error(`sequence ${id} exists`);
    this.seqs.set(id, { blocks: [], len: 0 });
  }

  /** A new sequence sharing every block of `parent` (its first `parent.length` positions). */
  fork(parent: number, id: number): void {
    const p = this.table(parent);
    for (const b of p.blocks) this.alloc.retain(b);
    this.seqs.set(id, { blocks: [...p.blocks], len: p.len });
  }

  /** Releases a sequence's blocks. */
  free(id: number): void {
    const t = this.table(id);
    for (const b of t.blocks) this.alloc.release(b);
    this.seqs.delete(id);
  }

  has(id: number): boolean {
    return this.seqs.has(id);
  }

  length(id: number): number {
    return this.table(id).len;
  }

  blockTable(id: number): readonly number[] {
    return this.table(id).blocks;
  }

  /**
   * Reserves the slot of the sequence's next position and returns its physical row: allocates a
   * block at a block boundary, copies a shared last block before writing into it.
   */
  appendSlot(id: number): number {
    const t = this.table(id);
    const off = t.len % this.blockSize;
    if (off === 0) t.blocks.push(this.alloc.alloc());
    else {
      const last = t.blocks[t.blocks.length - 1];
      if (this.alloc.refCount(last) > 1) {
        const fresh = this.alloc.alloc();
        this.copyRows(last, fresh, off);
        this.alloc.release(last);
        t.blocks[t.blocks.length - 1] = fresh;
        this.copies++;
      }
    }
    t.len++;
    return this.row(t, t.len - 1);
  }

  /** Physical row of position `pos` of sequence `id`. */
  slot(id: number, pos: number): number {
    return this.row(this.table(id), pos);
  }

  /** Blocks needed to hold `tokens` positions. */
  blocksFor(tokens: number): number {
    return Math.ceil(tokens / this.blockSize);
  }

  /**
   * Slots holding a token and slots allocated, over all live sequences; a block shared by several
   * sequences is counted once (its filled rows are the most any sharer has written).
   */
  usage(): { tokens: number; slots: number; blocks: number; sequences: number } {
    const filled = new Map<number, number>();
    for (const t of this.seqs.values()) {
      t.blocks.forEach((b, i) => filled.set(b, Math.max(filled.get(b) ?? 0, Math.min(this.blockSize, t.len - i * this.blockSize))));
    }
    let tokens = 0;
    for (const n of filled.values()) tokens += n;
    return { tokens, slots: filled.size * this.blockSize, blocks: filled.size, sequences: this.seqs.size };
  }

  private row(t: SeqTable, pos: number): number {
    if (pos < 0 || pos >= t.len) throw new Error(`position ${pos} outside a sequence of ${t.len}`);
    return t.blocks[Math.floor(pos / this.blockSize)] * this.blockSize + (pos % this.blockSize);
  }

  private copyRows(from: number, to: number, rows: number): void {
    const n = rows * this.ckv, a = from * this.blockSize * this.ckv, b = to * this.blockSize * this.ckv;
    for (let l = 0; l < this.layers; l++) {
      this.k[l].copyWithin(b, a, a + n);
      this.v[l].copyWithin(b, a, a + n);
    }
  }

  private table(id: number): SeqTable {
    const t = this.seqs.get(id);
    if (!t) throw new Error(`no sequence ${id}`);
    return t;
  }
}
