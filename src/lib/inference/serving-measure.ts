/**
 * The serving comparison of lesson 3.1: one seeded workload of story requests (every second one
 * starting with a shared system-style prefix) served by TinyLM under static and under continuous
 * batching, plus each request run alone to check that batching never changes an output.
 * Shared by the serving lab's worker and `npm run bench`.
 */
import type { TinyLM } from '../tinylm/model';
import type { Tokenizer } from '../tokenizer';
import { CORPUS_SEEDS, makeStories } from '../tinylm/corpus';
import { makeWorkload, serve, type BatchPolicy, type ServeRequest, type ServeResult, type StepStat } from './scheduler';

export interface ServingRequest {
  requests: number;
  /** Mean gap between arrivals, in engine steps. */
  gap: number;
  maxBatch: number;
  seed: number;
  /** Every second request starts with the same prefix (shared blocks, copy-on-write). */
  sharedPrefix: boolean;
  /** Blocks of 16 tokens in the paged cache. */
  numBlocks: number;
}

export const DEFAULT_SERVING: ServingRequest = { requests: 12, gap: 2, maxBatch: 4, seed: 1, sharedPrefix: true, numBlocks: 96 };

export interface ServingComparison {
  static: ServeResult;
  continuous: ServeResult;
  /** Every request's tokens are the same under both policies and when it runs alone. */
  identical: boolean;
  workload: Array<Pick<ServeRequest, 'id' | 'arrival' | 'maxTokens'> & { promptTokens: number; shared: boolean }>;
}

const PREFIX = 'One day, a little girl named Mia went to the beach with her mom.';

/** The seeded workload: first sentences of held-out stories, 8–40 tokens each. */
export function servingWorkload(tok: Tokenizer, req: ServingRequest): ServeRequest[] {
  const enc = (s: string) => [0, ...tok.encode(s, { allowedSpecial: [] })];
  const prompts = makeStories(16, CORPUS_SEEDS.valStories + 7).map((s) => enc(s.split('. ')[0] + '.'));
  return makeWorkload(prompts, req.sharedPrefix ? enc(PREFIX) : [], req.requests, req.seed, req.gap, 8, 40);
}

/** Runs the workload under both policies (and each request alone). */
export function compareBatching(model: TinyLM, tok: Tokenizer, req: ServingRequest, onStep?: (policy: BatchPolicy, s: StepStat) => void): ServingComparison {
  const work = servingWorkload(tok, req);
  const run = (policy: BatchPolicy) => serve(model, work, { policy, maxBatch: req.maxBatch, numBlocks: req.numBlocks, stopIds: [0], onStep: (s) => onStep?.(policy, s) });
  const st = run('static');
  const ct = run('continuous');
  const alone = work.map((r) => serve(model, [{ ...r, arrival: 0 }], { policy: 'continuous', maxBatch: 1, numBlocks: req.numBlocks, stopIds: [0] }).requests[0].tokens.join(','));
  const same = (r: ServeResult) => r.requests.every((x, i) => x.tokens.join(',') === alone[i]);
  return {
    static: st, continuous: ct, identical: same(st) && same(ct),
    workload: work.map((r) => ({ id: r.id, arrival: r.arrival, maxTokens: r.maxTokens, promptTokens: r.prompt.length, shared: (r.sharedPrefix ?? 0) > 0 })),
  };
}
