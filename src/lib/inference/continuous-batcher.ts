/**
 * The serving engine's live scheduler: the same continuous batching as `scheduler.ts` (Orca's
 * iteration-level scheduling over vLLM-style paged KV blocks), but online — sequences arrive
 * whenever a request comes in, and a step loop runs while any is waiting or running:
 *
 *   1. retire cancelled sequences (their blocks go back to the free list at once);
 *   2. admit waiting ones first come, first served while the batch has room (`maxBatch`) and the
 *      cache has blocks for their prompt + max new tokens (reserved, so nobody is ever evicted);
 *   3. one `PagedTinyLM.forward` over every running sequence (new prompts prefilled in the same pass
 *      as the decode tokens of the others);
 *   4. each sequence's own `next(logits)` picks its token (its own sampler, seed and constraint),
 *      or finishes it;
 *   5. yield to the event loop, so new requests and cancellations are seen before the next step.
 *
 * A sequence's logits do not depend on what shares its batch (see batched.ts), so every request
 * gets the tokens it gets alone. Framework-free; runs in the serving worker, Node and the page.
 */
import type { LogitsModel } from '../tinylm/contract';
import { TinyLM } from '../tinylm/model';
import type { BatchedSequence, SequenceBatcher } from '../engine/tinylm-engine';
import { LabError } from '../errors';
import { PagedTinyLM } from './batched';
import { BLOCK_SIZE } from './paged-cache';

export interface BatcherOptions {
  /** Most sequences decoded together (default 8). */
  maxBatch?: number;
  /** Blocks of 16 tokens per model's cache (default: a full window for each of maxBatch sequences). */
  numBlocks?: number;
  /** Waits between steps (default: the next macrotask). */
  pause?: () => Promise<void>;
  /** Called after every step. */
  onStep?: (s: LiveStep) => void;
}

/** One step of the live engine. */
export interface LiveStep {
  /** performance.now() at the end of the step, and its duration (ms). */
  at: number;
  ms: number;
  /** Sequences in the forward pass, tokens in it (prefill + decode), sequences still waiting. */
  batch: number;
  tokens: number;
  waiting: number;
  /** Blocks in use after the step, of the cache's total. */
  blocksUsed: number;
  numBlocks: number;
  /** Blocks copied on write so far (shared prompt blocks of a request's choices). */
  copies: number;
}

interface Seq {
  id: number;
  spec: BatchedSequence;
  /** Followers: choices of the same request admitted with this one; forked from it after its prefill. */
  followers: Seq[];
  /** Set while this sequence waits to be forked from its leader's prompt (it runs no prefill). */
  leader?: Seq;
  /** Tokens to run at the next step (the prompt, then one token at a time). */
  pending: number[];
  needs: number;
  prefilled: boolean;
  cancelled: boolean;
}

interface ModelLane {
  engine: PagedTinyLM;
  window: number;
  waiting: Seq[];
  running: Seq[];
}

const nextMacrotask = (): Promise<void> =>
  typeof MessageChannel !== 'undefined'
    ? new Promise((resolve) => {
        const ch = new MessageChannel();
        ch.port1.onmessage = () => {
          ch.port1.close();
          resolve();
        };
        ch.port2.postMessage(null);
      })
    : new Promise((resolve) => setTimeout(resolve, 0));

/** Continuous batching of live requests over a paged KV cache, one lane per model. */
export class ContinuousBatcher implements SequenceBatcher {
  readonly maxBatch: number;
  private readonly lanes = new Map<LogitsModel, ModelLane>();
  private readonly pause: () => Promise<void>;
  private looping = false;
  private stepping = false;
  private nextId = 1;
  /** Recent steps (at most 4,000), oldest first. */
  readonly steps: LiveStep[] = [];

  constructor(private readonly opts: BatcherOptions = {}) {
    this.maxBatch = Math.max(1, Math.floor(opts.maxBatch ?? 8));
    this.pause = opts.pause ?? nextMacrotask;
  }

  /** Sequences waiting and running over all models. */
  get load(): { waiting: number; running: number } {
    let waiting = 0, running = 0;
    for (const l of this.lanes.values()) {
      waiting += l.waiting.length;
      running += l.running.length;
    }
    return { waiting, running };
  }

  submit(model: LogitsModel, spec: BatchedSequence): { cancel(): void } {
    const lane = this.lane(model);
    const cache = lane.engine.cache;
    const window = model.config.maxSeqLen;
    const total = Math.min(window, spec.prompt.length + spec.maxNewTokens);
    if (!spec.prompt.length) throw new LabError('invalid-request', 'A sequence needs at least one prompt token.');
    if (spec.prompt.length >= window) throw new LabError('context-window', `The prompt is ${spec.prompt.length} tokens; this model has a ${window}-token context window.`, 'Shorten the prompt.');
    const needs = cache.blocksFor(total);
    if (needs > cache.alloc.numBlocks) throw new LabError('too-large', `The request needs ${needs} KV blocks; the cache has ${cache.alloc.numBlocks}.`, 'Lower max_tokens.');
    const seq: Seq = { id: this.nextId++, spec, pending: spec.prompt.slice(), needs, prefilled: false, cancelled: false, followers: [] };
    lane.waiting.push(seq);
    if (!this.looping) {
      this.looping = true;
      void this.run();
    }
    return {
      cancel: () => {
        if (seq.cancelled) return;
        seq.cancelled = true;
        // Between steps (always, unless called from inside a step's callbacks): retire it now, so
        // its blocks are free before the next admission.
        if (!this.stepping) this.drop(lane, seq);
      },
    };
  }

  /** Retires every sequence now (they end as cancelled) and drops every model's cache. */
  release(): void {
    for (const lane of this.lanes.values()) {
      for (const s of lane.running.slice()) this.retire(lane, s, 'cancelled');
      for (const s of lane.waiting.splice(0)) s.spec.retired('cancelled');
    }
    this.lanes.clear();
  }

  private lane(model: LogitsModel): ModelLane {
    let lane = this.lanes.get(model);
    if (!lane) {
      if (!(model instanceof TinyLM)) throw new LabError('unsupported', 'The batching engine runs TinyLM checkpoints only.', 'Serve this model one request at a time.');
      const perSeq = Math.ceil(model.config.maxSeqLen / BLOCK_SIZE);
      lane = { engine: new PagedTinyLM(model, this.opts.numBlocks ?? perSeq * this.maxBatch), window: model.config.maxSeqLen, waiting: [], running: [] };
      this.lanes.set(model, lane);
    }
    return lane;
  }

  /** Steps every lane until no sequence is left. */
  private async run(): Promise<void> {
    try {
      await null; // requests submitted in the same turn start in the same first step
      for (;;) {
        let busy = false;
        for (const lane of this.lanes.values()) busy = this.step(lane) || busy;
        // Cleared in the same turn as the check: a request submitted after it starts a new loop.
        if (!busy) return void (this.looping = false);
        await this.pause();
      }
    } finally {
      this.looping = false;
    }
  }

  /** One scheduler iteration of one model's lane; false when it had nothing to do. */
  private step(lane: ModelLane): boolean {
    this.stepping = true;
    try {
      return this.iterate(lane);
    } finally {
      this.stepping = false;
    }
  }

  /** Takes a cancelled sequence out of its lane, wherever it is. */
  private drop(lane: ModelLane, s: Seq): void {
    const w = lane.waiting.indexOf(s);
    if (w >= 0) {
      lane.waiting.splice(w, 1);
      s.spec.retired('cancelled');
    } else this.retire(lane, s, 'cancelled');
  }

  private iterate(lane: ModelLane): boolean {
    const cache = lane.engine.cache;
    // 1. Retire cancelled sequences (waiting ones never got blocks).
    for (const s of lane.running.filter((x) => x.cancelled)) this.retire(lane, s, 'cancelled');
    for (const s of lane.waiting.filter((x) => x.cancelled)) {
      lane.waiting.splice(lane.waiting.indexOf(s), 1);
      s.spec.retired('cancelled');
    }
    // 2. Admit in arrival order while there is room for the whole request.
    let reserved = lane.running.reduce((a, s) => a + s.needs, 0);
    while (lane.waiting.length && lane.running.length < this.maxBatch) {
      const s = lane.waiting[0];
      // Another choice of a request whose prompt is about to be prefilled: share its blocks
      // (PagedAttention's parallel sampling): only the blocks past the prompt's full ones are its own.
      const leader = s.spec.group ? lane.running.find((l) => !l.prefilled && !l.leader && l.spec.group === s.spec.group && samePrompt(l.spec.prompt, s.spec.prompt)) : undefined;
      const needs = leader ? s.needs - Math.floor(s.spec.prompt.length / cache.blockSize) : s.needs;
      if (reserved + needs > cache.alloc.numBlocks) break;
      lane.waiting.shift();
      s.needs = needs;
      if (leader) {
        s.leader = leader;
        leader.followers.push(s);
      } else cache.create(s.id);
      lane.running.push(s);
      reserved += s.needs;
    }
    if (!lane.running.length) return lane.waiting.length > 0;
    // 3. One forward over the ragged batch (followers wait for their leader's prompt).
    const batch = lane.running.filter((s) => !s.leader);
    const items = batch.map((s) => ({ seq: s.id, tokens: s.pending }));
    const tokens = items.reduce((a, it) => a + it.tokens.length, 0);
    const t0 = performance.now();
    let logits: Float32Array[];
    try {
      logits = lane.engine.forward(items);
    } catch (e) {
      for (const s of batch) this.retire(lane, s, 'error', e);
      return true;
    }
    const ms = performance.now() - t0;
    // 4. Each sequence picks its next token (or ends).
    const pick = (s: Seq, l: Float32Array, info: { batch: number; prefillS?: number; sharedPrompt?: number }) => {
      let id: number;
      try {
        id = s.cancelled ? -1 : s.spec.next(l, info);
      } catch (e) {
        this.retire(lane, s, 'error', e);
        return;
      }
      if (s.cancelled) this.retire(lane, s, 'cancelled');
      else if (id < 0) this.retire(lane, s, null);
      else if (cache.length(s.id) >= lane.window) this.retire(lane, s, 'length');
      else s.pending = [id];
    };
    batch.forEach((s, i) => {
      const info = s.prefilled ? { batch: batch.length } : { batch: batch.length, prefillS: ms / 1000 };
      s.prefilled = true;
      // Its prompt is in the cache and nothing else yet: fork the followers now (copy-on-write
      // later, on their first write into the shared partial block); they sample their first token
      // from the same logits, each with its own sampler.
      for (const f of s.followers.splice(0)) {
        f.leader = undefined;
        f.prefilled = true;
        cache.fork(s.id, f.id);
        pick(f, logits[i], { batch: batch.length, prefillS: 0, sharedPrompt: s.spec.prompt.length });
      }
      pick(s, logits[i], info);
    });
    const st: LiveStep = { at: performance.now(), ms, batch: batch.length, tokens, waiting: lane.waiting.length, blocksUsed: cache.alloc.numBlocks - cache.alloc.freeCount, numBlocks: cache.alloc.numBlocks, copies: cache.copies };
    this.steps.push(st);
    if (this.steps.length > 4000) this.steps.splice(0, this.steps.length - 4000);
    this.opts.onStep?.(st);
    return true;
  }

  private retire(lane: ModelLane, s: Seq, reason: 'cancelled' | 'length' | 'error' | null, error?: unknown): void {
    const i = lane.running.indexOf(s);
    if (i < 0) return;
    lane.running.splice(i, 1);
    const cache = lane.engine.cache;
    if (cache.has(s.id)) cache.free(s.id);
    if (s.leader) s.leader.followers.splice(s.leader.followers.indexOf(s), 1);
    // A leader that leaves before its prefill: its followers prefill for themselves.
    for (const f of s.followers.splice(0)) {
      f.leader = undefined;
      f.needs = cache.blocksFor(Math.min(lane.window, f.spec.prompt.length + f.spec.maxNewTokens));
      cache.create(f.id);
    }
    if (reason) s.spec.retired(reason, error);
  }
}

const samePrompt = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
