/**
 * Token-level constrained decoding: which vocabulary tokens may come next so that the output
 * can still become valid JSON for the schema (and be closed within the token budget).
 *
 * The vocabulary's token byte strings are stored once in a prefix trie. For a given acceptor
 * state we walk the trie depth-first, stepping the (immutable) acceptor one byte per edge and
 * pruning a whole subtree as soon as a byte is rejected, so shared prefixes are checked once.
 * The result (allowed ids and, for each, the shortest completion left after it) is cached per
 * state key: inside a long free string, for example, the state repeats and the walk is skipped.
 */
import { canEnd, initialState, minRemaining, stateKey, step, stepBytes, type SeqPart, type State } from './acceptor';
import type { SchemaNode } from './schema';

/** The tokenizer facts constrained decoding needs. */
export interface VocabularySource {
  readonly specialIds: Map<string, number>;
  tokenBytes(id: number): Uint8Array | undefined;
}

interface TrieNode {
  children: Map<number, TrieNode>;
  /** ids of tokens whose bytes end exactly here */
  ids: number[];
}

/** Token bytes and texts of a vocabulary, plus a byte trie over its ordinary tokens. */
export class VocabularyIndex {
  readonly root: TrieNode = { children: new Map(), ids: [] };
  readonly endIds: number[];
  /** Byte length of the longest ordinary token (how far one step can reach). */
  readonly maxTokenBytes: number = 0;
  private readonly bytesOf: Array<Uint8Array | undefined>;
  private readonly textOf: string[];

  constructor(
    tokenizer: VocabularySource,
    readonly size: number,
  ) {
    const special = new Set(tokenizer.specialIds.values());
    this.endIds = [...special];
    this.bytesOf = new Array(size);
    this.textOf = new Array(size).fill('');
    const dec = new TextDecoder();
    for (let id = 0; id < size; id++) {
      const b = tokenizer.tokenBytes(id);
      this.bytesOf[id] = b;
      if (!b) continue;
      this.textOf[id] = dec.decode(b);
      if (special.has(id) || b.length === 0) continue;
      if (b.length > this.maxTokenBytes) this.maxTokenBytes = b.length;
      let node = this.root;
      for (const byte of b) {
        let next = node.children.get(byte);
        if (!next) node.children.set(byte, (next = { children: new Map(), ids: [] }));
        node = next;
      }
      node.ids.push(id);
    }
    for (const [text, id] of tokenizer.specialIds) if (id < size) this.textOf[id] = text;
  }

  /** The bytes of token `id` (undefined for unknown ids). */
  bytes(id: number): Uint8Array | undefined {
    return this.bytesOf[id];
  }

  /** Display text of token `id` (U+FFFD for a partial UTF-8 character). */
  text(id: number): string {
    return this.textOf[id] ?? '';
  }
}

/** Per-state masks, shareable between generations with the same schema and vocabulary. */
export type MaskCache = Map<string, MaskEntry>;

export interface MaskEntry {
  ids: Int32Array;
  /** shortest completion (bytes) after each allowed token */
  post: Int32Array;
  canEnd: boolean;
}

export interface ConstraintOptions {
  /** Fixed text before the JSON (e.g. `<tool_call>`). */
  prefix?: string;
  /** Fixed text after the JSON (e.g. `</tool_call>`). */
  suffix?: string;
  /** Max cached states (default 4096). */
  cacheSize?: number;
  /** A cache shared with earlier generations of the same schema + prefix/suffix + vocabulary. */
  cache?: MaskCache;
}

/** Constrains generation to `prefix` + JSON matching `node` + `suffix`. */
export class JsonTokenConstraint {
  private state: State;
  private readonly cache: MaskCache;
  private readonly cacheSize: number;
  /** Cache statistics (for the benchmark and tests). */
  readonly stats = { hits: 0, misses: 0, trieSteps: 0 };

  constructor(
    node: SchemaNode,
    private readonly vocab: VocabularyIndex,
    options: ConstraintOptions = {},
  ) {
    const enc = new TextEncoder();
    const parts: SeqPart[] = [];
    if (options.prefix) parts.push({ bytes: enc.encode(options.prefix) });
    parts.push({ node });
    if (options.suffix) parts.push({ bytes: enc.encode(options.suffix) });
    this.state = initialState(parts);
    this.cacheSize = options.cacheSize ?? 4096;
    this.cache = options.cache ?? new Map();
  }

  /** True when the output is complete and nothing else may follow: stop now. */
  get done(): boolean {
    if (this.state.f.t === 'done') return true;
    // No ordinary token fits (every byte has a token, so: no byte fits) but the output may end.
    return canEnd(this.state) && this.entry(this.state).ids.length === 0;
  }

  /** True when an end-of-text token is acceptable now. */
  get canEnd(): boolean {
    return canEnd(this.state);
  }

  /** Bytes still needed at least to complete the output. */
  get remaining(): number {
    return minRemaining(this.state);
  }

  /**
   * Allowed tokens for the next step [vocab] (1 = allowed), given `budget` tokens left including
   * this one: a token is allowed only if its shortest completion fits in `budget - 1` tokens (every
   * byte has a single-byte token in a byte-level BPE vocabulary). If none fits, the tokens with the
   * shortest completion are allowed (the output may then be cut by max_tokens).
   */
  mask(budget: number): Uint8Array {
    const e = this.entry(this.state);
    const out = new Uint8Array(this.vocab.size);
    let any = false;
    let bestPost = Infinity;
    for (let i = 0; i < e.ids.length; i++) {
      if (e.post[i] <= budget - 1) {
        out[e.ids[i]] = 1;
        any = true;
      }
      bestPost = Math.min(bestPost, e.post[i]);
    }
    if (e.canEnd) {
      for (const id of this.vocab.endIds) out[id] = 1;
      any = true;
    }
    if (!any) {
      for (let i = 0; i < e.ids.length; i++) if (e.post[i] === bestPost) out[e.ids[i]] = 1;
      if (e.ids.length === 0) for (const id of this.vocab.endIds) out[id] = 1; // dead end: let it stop
    }
    return out;
  }

  /** Feeds text already generated (from the start of the constrained output); false if it doesn't fit. */
  replay(bytes: Uint8Array): boolean {
    const next = stepBytes(this.state, bytes);
    if (!next) return false;
    this.state = next;
    return true;
  }

  /** Advances the acceptor by the chosen token (end-of-text tokens leave it unchanged). */
  advance(id: number): void {
    if (this.vocab.endIds.includes(id)) return;
    const b = this.vocab.bytes(id);
    const next = b ? stepBytes(this.state, b) : null;
    if (!next) throw new Error(`Constrained decoding: token ${id} is not allowed here`);
    this.state = next;
  }

  private lastState: State | null = null;
  private lastEntry: MaskEntry | null = null;

  private entry(s: State): MaskEntry {
    if (s === this.lastState && this.lastEntry) return this.lastEntry;
    const e = this.lookup(s);
    this.lastState = s;
    this.lastEntry = e;
    return e;
  }

  private lookup(s: State): MaskEntry {
    const key = stateKey(s, this.vocab.maxTokenBytes + 1);
    const hit = this.cache.get(key);
    if (hit) {
      this.stats.hits++;
      return hit;
    }
    this.stats.misses++;
    const ids: number[] = [];
    const post: number[] = [];
    const walk = (node: TrieNode, st: State) => {
      for (const [byte, child] of node.children) {
        this.stats.trieSteps++;
        const next = step(st, byte);
        if (!next) continue;
        if (child.ids.length) {
          const r = minRemaining(next);
          for (const id of child.ids) {
            ids.push(id);
            post.push(r);
          }
        }
        if (child.children.size) walk(child, next);
      }
    };
    walk(this.vocab.root, s);
    const e: MaskEntry = { ids: Int32Array.from(ids), post: Int32Array.from(post), canEnd: canEnd(s) };
    if (this.cache.size >= this.cacheSize) this.cache.clear();
    this.cache.set(key, e);
    return e;
  }
}
