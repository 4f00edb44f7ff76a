/**
 * Concurrent clients of the OpenAI-compatible endpoint, measured: the same N requests sent one at
 * a time (each waits for the previous reply) and then all at once, through whatever `fetch` the
 * caller gives (the page's fetch through the service worker, the in-page handler, or the handler
 * in Node for `npm run bench`). The server batches the concurrent ones; every reply must be the
 * same both ways (greedy). Shared by the serving lab and the bench.
 */
import { CORPUS_SEEDS, makeStories } from '../tinylm/corpus';
import { personProfile, QA_SYSTEM, renderQAUser } from '../tinylm/corpus/instruct';
import { RNG } from '../tinylm/rng';
import { percentile } from './percentile';

export type EndpointWorkloadKind = 'story' | 'chat';

export interface EndpointWorkload {
  /** story: `/v1/completions` on tinylm-base (long replies); chat: context QA on tinylm-chat (short ones). */
  kind: EndpointWorkloadKind;
  n: number;
  maxTokens: number;
}

export const DEFAULT_ENDPOINT: EndpointWorkload = { kind: 'story', n: 8, maxTokens: 48 };

export interface EndpointRequest {
  path: '/v1/completions' | '/v1/chat/completions';
  body: Record<string, unknown>;
}

/** N distinct greedy requests in the models' trained formats (held-out story openings, or profiles). */
export function endpointRequests(w: EndpointWorkload): EndpointRequest[] {
  if (w.kind === 'story') {
    const openings = makeStories(Math.max(w.n, 1), CORPUS_SEEDS.valStories + 11).map((s) => s.split('. ')[0] + '.');
    return openings.slice(0, w.n).map((prompt) => ({ path: '/v1/completions', body: { model: 'tinylm-base', prompt, max_tokens: w.maxTokens, temperature: 0 } }));
  }
  const rng = new RNG(CORPUS_SEEDS.valInstruct + 12);
  return Array.from({ length: w.n }, () => {
    const p = personProfile(rng);
    const [question] = p.qa[1 + rng.int(p.qa.length - 1)];
    return {
      path: '/v1/chat/completions' as const,
      body: { model: 'tinylm-chat', messages: [{ role: 'system', content: QA_SYSTEM }, { role: 'user', content: renderQAUser(p.sentences.join(' '), question) }], max_tokens: w.maxTokens, temperature: 0 },
    };
  });
}

/** Sends one request: `path` is relative to the server's `/v1` origin. */
export type EndpointFetch = (path: string, init: RequestInit) => Promise<Response>;

export interface EndpointRun {
  mode: 'one at a time' | 'concurrent';
  wallMs: number;
  tokens: number;
  tokensPerSecond: number;
  latencyP50: number;
  latencyP95: number;
  texts: string[];
}

export interface EndpointComparison {
  workload: EndpointWorkload;
  oneAtATime: EndpointRun;
  concurrent: EndpointRun;
  /** Every reply is the same whether the requests came one at a time or together. */
  identical: boolean;
}

interface Reply {
  text: string;
  tokens: number;
  ms: number;
}

async function send(fetchFn: EndpointFetch, r: EndpointRequest): Promise<Reply> {
  const t0 = performance.now();
  const res = await fetchFn(r.path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(r.body) });
  const j = (await res.json()) as { error?: { message: string }; choices?: Array<{ text?: string; message?: { content: string | null } }>; usage?: { completion_tokens: number } };
  if (!res.ok || !j.choices) throw new Error(`The endpoint answered ${res.status}: ${j.error?.message ?? 'no choices'}`);
  const c = j.choices[0];
  return { text: c.text ?? c.message?.content ?? '', tokens: j.usage?.completion_tokens ?? 0, ms: performance.now() - t0 };
}

function summarise(mode: EndpointRun['mode'], replies: Reply[], wallMs: number): EndpointRun {
  const tokens = replies.reduce((a, r) => a + r.tokens, 0);
  const lat = replies.map((r) => r.ms);
  return { mode, wallMs, tokens, tokensPerSecond: tokens / (wallMs / 1000), latencyP50: percentile(lat, 0.5), latencyP95: percentile(lat, 0.95), texts: replies.map((r) => r.text) };
}

/**
 * The workload one request at a time, then all at once, after one warm-up request that loads the
 * model (`onWarm` runs after it; `onRun` after each way, and is awaited).
 */
export async function compareEndpoint(fetchFn: EndpointFetch, w: EndpointWorkload, onRun?: (r: EndpointRun) => void | Promise<void>, onWarm?: () => void | Promise<void>): Promise<EndpointComparison> {
  const reqs = endpointRequests(w);
  await send(fetchFn, { ...reqs[0], body: { ...reqs[0].body, max_tokens: 1 } }); // load the model first
  await onWarm?.();
  let t0 = performance.now();
  const seq: Reply[] = [];
  for (const r of reqs) seq.push(await send(fetchFn, r));
  const oneAtATime = summarise('one at a time', seq, performance.now() - t0);
  await onRun?.(oneAtATime);
  t0 = performance.now();
  const together = await Promise.all(reqs.map((r) => send(fetchFn, r)));
  const concurrent = summarise('concurrent', together, performance.now() - t0);
  await onRun?.(concurrent);
  return { workload: w, oneAtATime, concurrent, identical: oneAtATime.texts.every((t, i) => t === concurrent.texts[i]) };
}
