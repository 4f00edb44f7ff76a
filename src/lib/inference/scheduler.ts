/**
 * A tiny serving engine: requests arrive over time; each step the scheduler chooses which sequences
 * run, and one batched forward (`PagedTinyLM`) advances all of them — prompts of newly admitted
 * requests are prefilled in the same pass as the decode tokens of running ones.
 *
 *  - static batching: a batch is formed from the requests waiting when the engine is idle and runs
 *    until its last member finishes; finished members leave their slot empty, late arrivals wait.
 *  - continuous batching (Orca's iteration-level scheduling): at every step finished requests
 *    retire and waiting ones are admitted (first come, first served) while the batch has room
 *    and the paged cache has blocks for their prompt.
 *
 * Requests whose prompt starts with a shared prefix (e.g. a system prompt) fork the prefix's cached
 * blocks instead of recomputing and storing them again (copy-on-write when they first write into
 * a shared block). Greedy decoding; the clock is the engine's own measured step times.
 */
import type { TinyLM } from '../tinylm/model';
import { PagedTinyLM } from './batched';
import { argmaxOf } from './speculative';
import { RNG } from '../tinylm/rng';
import { LabError } from '../errors';
import { percentile } from './percentile';

export interface ServeRequest {
  id: number;
  /** Step at which the request arrives. */
  arrival: number;
  prompt: number[];
  maxTokens: number;
  /** Length of the prompt's leading tokens shared with other requests (0: none). */
  sharedPrefix?: number;
}

export type BatchPolicy = 'static' | 'continuous';

export interface ServeOptions {
  policy: BatchPolicy;
  /** Most sequences decoded together. */
  maxBatch: number;
  /** Blocks in the paged cache (16 tokens each). */
  numBlocks: number;
  stopIds?: number[];
  /** Called after every step (for live charts). */
  onStep?: (s: StepStat) => void;
}

export interface StepStat {
  step: number;
  /** Wall-clock ms of this step, and since the start. */
  ms: number;
  clockMs: number;
  running: number;
  waiting: number;
  /** Tokens in the step's forward (prefill + decode) and tokens generated. */
  batchTokens: number;
  generated: number;
  /** Tokens held in the cache ÷ slots of the blocks allocated (shared blocks counted once). */
  utilisation: number;
  blocksUsed: number;
  /** Largest number of empty slots in one live sequence's blocks (≤ 15 with 16-token blocks). */
  maxWaste: number;
}

export interface RequestResult {
  id: number;
  tokens: number[];
  arrival: number;
  admitted: number;
  firstToken: number;
  finished: number;
  /** ms from arrival to the first generated token, and per output token after it. */
  ttftMs: number;
  tpotMs: number;
  latencyMs: number;
}

export interface ServeResult {
  policy: BatchPolicy;
  steps: number;
  totalMs: number;
  tokens: number;
  tokensPerSecond: number;
  tokensPerStep: number;
  requests: RequestResult[];
  stats: StepStat[];
  ttft: { p50: number; p95: number };
  latency: { p50: number; p95: number };
  tpot: { p50: number; p95: number };
  /** Mean cache utilisation over steps with live sequences. */
  utilisation: number;
  copiesOnWrite: number;
}

interface Live {
  req: ServeRequest;
  /** Prompt tokens not yet in the cache (the first step prefills them). */
  pending: number[];
  out: number[];
  admitted: number;
  firstToken: number;
  done: boolean;
}

export { percentile };

const PREFIX_SEQ = -1;

/** Runs a workload to completion under one batching policy. */
export function serve(model: TinyLM, requests: ServeRequest[], opts: ServeOptions): ServeResult {
  const engine = new PagedTinyLM(model, opts.numBlocks);
  const cache = engine.cache;
  const stop = new Set(opts.stopIds ?? []);
  const queue = [...requests].sort((a, b) => a.arrival - b.arrival || a.id - b.id);
  let running: Live[] = [];
  const results: RequestResult[] = [];
  const stats: StepStat[] = [];
  const stepEnd: number[] = []; // clock (ms) at the end of each step
  const stepStart: number[] = [];
  let clock = 0, generated = 0;
  // A shared prefix is prefilled once, on first use, and kept for the whole run.
  const prefix = requests.find((r) => (r.sharedPrefix ?? 0) > 0);
  const prefixIds = prefix ? prefix.prompt.slice(0, prefix.sharedPrefix) : [];
  let prefixReady = false;
  const needsBlocksFn = (r: ServeRequest) => cache.blocksFor(r.prompt.length + r.maxTokens) - (r.sharedPrefix ? Math.floor(r.sharedPrefix / cache.blockSize) : 0);

  const needsBlocks = needsBlocksFn;
  for (const r of requests) {
    if (r.prompt.length + r.maxTokens > model.config.maxSeqLen) throw new LabError('context-window', `Request ${r.id} needs ${r.prompt.length + r.maxTokens} positions; the window is ${model.config.maxSeqLen}.`, 'Shorten its prompt or lower its max tokens.');
    if (needsBlocks(r) + (r.sharedPrefix ? cache.blocksFor(r.sharedPrefix) : 0) > opts.numBlocks) throw new LabError('too-large', `Request ${r.id} needs more KV blocks than the cache has (${opts.numBlocks}).`, 'Give the cache more blocks.');
  }
  for (let step = 0; queue.length || running.length; step++) {
    if (step > 100_000) throw new Error('the scheduler made no progress');
    // Retire finished sequences and admit new ones.
    running = running.filter((l) => !l.done);
    const arrived = () => queue.length > 0 && queue[0].arrival <= step;
    const admit = () => {
      const r = queue[0];
      // Reserve room for the whole request (prompt + maxTokens) so no running sequence is ever evicted.
      const reserved = running.reduce((a, l) => a + needsBlocks(l.req), 0);
      if (needsBlocks(r) + reserved > opts.numBlocks - (prefixReady ? cache.blocksFor(prefixIds.length) : 0)) return false;
      queue.shift();
      if (r.sharedPrefix) {
        if (!prefixReady) {
          cache.create(PREFIX_SEQ);
          const t0 = performance.now();
          engine.forward([{ seq: PREFIX_SEQ, tokens: prefixIds }]);
          clock += performance.now() - t0; // the shared prefix is computed once, on the engine's clock
          prefixReady = true;
        }
        cache.fork(PREFIX_SEQ, r.id);
      } else cache.create(r.id);
      running.push({ req: r, pending: r.prompt.slice(r.sharedPrefix ?? 0), out: [], admitted: step, firstToken: -1, done: false });
      return true;
    };
    if (opts.policy === 'continuous') {
      while (arrived() && running.length < opts.maxBatch && admit());
    } else if (running.length === 0) {
      while (arrived() && running.length < opts.maxBatch && admit());
    }
    const active = running.filter((l) => !l.done);
    if (!active.length) {
      // Idle: nothing has arrived yet; the clock does not move, the step counter does.
      stats.push({ step, ms: 0, clockMs: clock, running: 0, waiting: queue.length, batchTokens: 0, generated: 0, utilisation: NaN, blocksUsed: cache.usage().blocks, maxWaste: 0 });
      stepStart.push(clock);
      stepEnd.push(clock);
      continue;
    }
    const items = active.map((l) => ({ seq: l.req.id, tokens: l.pending.length ? l.pending : [l.out[l.out.length - 1]] }));
    const t0 = performance.now();
    const logits = engine.forward(items);
    const ms = performance.now() - t0;
    stepStart.push(clock);
    clock += ms;
    stepEnd.push(clock);
    let made = 0;
    active.forEach((l, i) => {
      l.pending = [];
      const id = argmaxOf(logits[i]);
      const full = cache.length(l.req.id) >= model.config.maxSeqLen;
      if (stop.has(id)) l.done = true;
      else {
        l.out.push(id);
        made++;
        if (l.firstToken < 0) l.firstToken = step;
        if (l.out.length >= l.req.maxTokens || full) l.done = true;
      }
      if (l.done) {
        const first = l.firstToken < 0 ? step : l.firstToken;
        const arrivalClock = stepStart[l.req.arrival] ?? 0;
        results.push({
          id: l.req.id, tokens: l.out, arrival: l.req.arrival, admitted: l.admitted, firstToken: first, finished: step,
          ttftMs: stepEnd[first] - arrivalClock,
          tpotMs: l.out.length > 1 ? (stepEnd[step] - stepEnd[first]) / (l.out.length - 1) : 0,
          latencyMs: stepEnd[step] - arrivalClock,
        });
        cache.free(l.req.id);
      }
    });
    generated += made;
    let maxWaste = 0;
    for (const l of active) if (!l.done) {
      const len = cache.length(l.req.id);
      maxWaste = Math.max(maxWaste, cache.blockTable(l.req.id).length * cache.blockSize - len);
    }
    const u = cache.usage();
    const st: StepStat = { step, ms, clockMs: clock, running: active.length, waiting: queue.length, batchTokens: items.reduce((a, it) => a + it.tokens.length, 0), generated: made, utilisation: u.slots ? u.tokens / u.slots : NaN, blocksUsed: u.blocks, maxWaste };
    stats.push(st);
    opts.onStep?.(st);
  }
  results.sort((a, b) => a.id - b.id);
  const live = stats.filter((s) => Number.isFinite(s.utilisation));
  const pick = (f: (r: RequestResult) => number) => ({ p50: percentile(results.map(f), 0.5), p95: percentile(results.map(f), 0.95) });
  return {
    policy: opts.policy, steps: stats.length, totalMs: clock, tokens: generated,
    tokensPerSecond: generated / (clock / 1000), tokensPerStep: generated / Math.max(1, stats.filter((s) => s.running > 0).length),
    requests: results, stats,
    ttft: pick((r) => r.ttftMs), latency: pick((r) => r.latencyMs), tpot: pick((r) => r.tpotMs),
    utilisation: live.reduce((a, s) => a + s.utilisation, 0) / Math.max(1, live.length),
    copiesOnWrite: cache.copies,
  };
}

/**
 * A seeded workload: `n` story prompts arriving at random steps (mean gap `gap`), each asking for
 * between minTokens and maxTokens tokens; every second request starts with a shared prefix.
 */
export function makeWorkload(prompts: number[][], sharedPrefix: number[], n: number, seed: number, gap = 2, minTokens = 8, maxTokens = 48): ServeRequest[] {
  const rng = new RNG(seed);
  let t = 0;
  return Array.from({ length: n }, (_, id) => {
    const base = prompts[id % prompts.length];
    const shared = id % 2 === 1 && sharedPrefix.length > 0;
    const req: ServeRequest = {
      id, arrival: t, maxTokens: minTokens + rng.int(maxTokens - minTokens + 1),
      prompt: shared ? [...sharedPrefix, ...base.slice(1)] : base,
      sharedPrefix: shared ? sharedPrefix.length : 0,
    };
    t += rng.int(2 * gap + 1);
    return req;
  });
}
