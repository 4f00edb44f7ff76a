/**
 * Lab 1.3.c: routing a query to a calculator tool, retrieval over the course, the chat model, or a
 * GPU model — with three routers judged on the same labelled queries:
 *
 *   keyword   ordered rules "route: word, phrase, …"; the first rule with a match wins, else chat
 *   semantic  the query's nearest labelled examples by embedding cosine (k-nearest vote)
 *   llm       the chat model, its output constrained to the route names (`response_format` with an
 *             enum: constrained decoding on TinyLM, so it can only ever answer a real route)
 *
 * `evaluateRouter` gives accuracy and the confusion matrix; `routerChain` is the LCEL router chain
 * (a RunnableLambda that picks the destination runnable).
 */
import type { EmbeddingsInterface } from '@langchain/core/embeddings';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { RunnableLambda, type Runnable, type RunnableConfig } from '@langchain/core/runnables';
import { LabError } from '../errors';
import type { EngineChatModel } from './chat-model';
import data from './router-data.json';

export const ROUTES = ['calculator', 'retrieval', 'chat', 'gpu'] as const;
export type Route = (typeof ROUTES)[number];
export interface Labelled {
  text: string;
  route: Route;
}
export type RouterKind = 'keyword' | 'semantic' | 'llm';

/** The shipped labelled set (MIT, ours): examples for the semantic router, held-out queries for evaluation. */
export const ROUTER_EXAMPLES = data.examples as Labelled[];
export const ROUTER_QUERIES = data.queries as Labelled[];

export const ROUTE_INFO: Record<Route, string> = {
  calculator: 'arithmetic',
  retrieval: 'questions about this LLM course',
  chat: 'greetings, short stories, a question about a given context, JSON from a text',
  gpu: 'open-ended writing, translation, code, explanations',
};

/** The default keyword rules, one route per line, tried in order. */
export const DEFAULT_RULES = [
  'calculator: plus, minus, times, divided, multiply, subtract, sum of, percent, %, square root, power of, calculate, compute, +, *, =',
  'retrieval: bm25, token, sampling, top-p, kv cache, rag, chunk, embedding, cosine, retrieval, context window, decoding, prompting, vector, attention, decoder, temperature, search',
  'gpu: write, translate, summarize, summarise, compose, explain, describe, rewrite, suggest, ideas, draft, pros and cons',
].join('\n');

/** The semantic router's examples as editable text: "route: example" per line (\n inside an example as "\\n"). */
export function examplesToText(examples: Labelled[]): string {
  return examples.map((e) => `${e.route}: ${e.text.replace(/\n/g, '\\n')}`).join('\n');
}

function checkRoute(name: string, line: number): Route {
  const r = name.trim().toLowerCase();
  if (!(ROUTES as readonly string[]).includes(r)) {
    throw new LabError('bad-input', `Line ${line}: “${name.trim()}” is not a route.`, `Start each line with one of: ${ROUTES.join(', ')}, then a colon.`);
  }
  return r as Route;
}

function lines(text: string): Array<{ n: number; head: string; rest: string }> {
  return text
    .split('\n')
    .map((l, i) => ({ l: l.trim(), n: i + 1 }))
    .filter((x) => x.l && !x.l.startsWith('#'))
    .map(({ l, n }) => {
      const c = l.indexOf(':');
      if (c < 0) throw new LabError('bad-input', `Line ${n} has no “route:” at its start.`, `Write it as “chat: hello, thanks”.`);
      return { n, head: l.slice(0, c), rest: l.slice(c + 1).trim() };
    });
}

/** Parses "route: a, b, c" rules (unknown routes and empty rules are errors with the line number). */
export function parseRules(text: string): Array<{ route: Route; patterns: string[] }> {
  return lines(text).map(({ n, head, rest }) => {
    const route = checkRoute(head, n);
    const patterns = rest.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean);
    if (!patterns.length) throw new LabError('bad-input', `Line ${n} (${route}) has no words to match.`, 'List words or phrases after the colon, separated by commas.');
    return { route, patterns };
  });
}

/** Parses "route: example" lines. */
export function parseExamples(text: string): Labelled[] {
  const out = lines(text).map(({ n, head, rest }) => {
    const route = checkRoute(head, n);
    if (!rest) throw new LabError('bad-input', `Line ${n} (${route}) has no example text.`, 'Write an example query after the colon.');
    return { route, text: rest.replace(/\\n/g, '\n') };
  });
  const missing = ROUTES.filter((r) => !out.some((e) => e.route === r));
  if (missing.length) throw new LabError('bad-input', `No examples for ${missing.join(', ')}.`, 'Give every route at least one example, or it can never be chosen.');
  return out;
}

export interface Decision {
  route: Route;
  /** why: the matched word, the nearest example, or the model's raw reply */
  why: string;
}

export interface QueryRouter {
  kind: RouterKind;
  route(query: string, config?: RunnableConfig): Promise<Decision>;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** First matching rule wins; no match → chat. Words match whole words; symbols match anywhere. */
export function keywordRouter(rulesText: string): QueryRouter {
  const rules = parseRules(rulesText).map((r) => ({
    route: r.route,
    patterns: r.patterns.map((p) => ({ p, re: new RegExp(/^\w/.test(p) && /\w$/.test(p) ? `\\b${escapeRe(p)}\\b` : escapeRe(p), 'i') })),
  }));
  return {
    kind: 'keyword',
    async route(query) {
      for (const r of rules) {
        const hit = r.patterns.find((x) => x.re.test(query));
        if (hit) return { route: r.route, why: `matched “${hit.p}”` };
      }
      return { route: 'chat', why: 'no rule matched (fallback)' };
    },
  };
}

const cosine = (a: number[], b: number[]) => {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? d / Math.sqrt(na * nb) : 0;
};

/** k nearest labelled examples by cosine similarity vote, weighted by similarity. */
export async function semanticRouter(examples: Labelled[], embeddings: EmbeddingsInterface, k = 3): Promise<QueryRouter> {
  const vectors = await embeddings.embedDocuments(examples.map((e) => e.text));
  return {
    kind: 'semantic',
    async route(query) {
      const q = await embeddings.embedQuery(query);
      const scored = examples.map((e, i) => ({ e, s: cosine(q, vectors[i]) })).sort((a, b) => b.s - a.s).slice(0, Math.max(1, k));
      const votes = new Map<Route, number>();
      for (const { e, s } of scored) votes.set(e.route, (votes.get(e.route) ?? 0) + Math.max(0, s) + 1e-6);
      const route = [...votes.entries()].sort((a, b) => b[1] - a[1])[0][0];
      return { route, why: `nearest: “${scored[0].e.text.split('\n')[0]}” (${scored[0].s.toFixed(2)})` };
    },
  };
}

/** The JSON schema that limits the model's answer to the route names. */
export function routeSchema() {
  return { type: 'object', properties: { route: { type: 'string', enum: [...ROUTES] } }, required: ['route'], additionalProperties: false };
}

/**
 * The model as a classifier. `describe` adds a system message listing the routes (for models that
 * can read it; TinyLM's 256-token window fits it, but it was never trained on such instructions).
 */
export function llmRouter(model: EngineChatModel, describe = true): QueryRouter {
  const system = `Classify the text into one route. Routes: ${ROUTES.map((r) => `${r} (${ROUTE_INFO[r]})`).join('; ')}.`;
  const bound = model.withConfig({ runName: 'LLMRouter', temperature: 0, maxTokens: 16, response_format: { type: 'json_schema', json_schema: { name: 'route', schema: routeSchema() } } } as RunnableConfig);
  return {
    kind: 'llm',
    async route(query, config) {
      const msgs = [...(describe ? [new SystemMessage(system)] : []), new HumanMessage(`Return JSON with the keys "route" (string).\nText: ${query}`)];
      const reply = (await bound.invoke(msgs, config)) as { text: string };
      let route: unknown;
      try {
        route = JSON.parse(reply.text).route;
      } catch {
        route = undefined;
      }
      // With constrained decoding this cannot fail; an engine without it may answer anything.
      if (!(ROUTES as readonly unknown[]).includes(route)) return { route: 'chat', why: `unusable reply ${JSON.stringify(reply.text.slice(0, 60))} → chat` };
      return { route: route as Route, why: reply.text };
    },
  };
}

export interface RouterEval {
  kind: RouterKind;
  accuracy: number;
  /** confusion[actual][predicted] counts, in ROUTES order */
  confusion: number[][];
  predictions: Route[];
  ms: number;
}

/** Runs a router on labelled queries: accuracy and the confusion matrix. */
export async function evaluateRouter(router: QueryRouter, queries: Labelled[], config?: RunnableConfig, onProgress?: (done: number) => void, now: () => number = () => performance.now()): Promise<RouterEval> {
  const confusion = ROUTES.map(() => ROUTES.map(() => 0));
  const predictions: Route[] = [];
  const t0 = now();
  let right = 0;
  for (const q of queries) {
    const { route } = await router.route(q.text, config);
    predictions.push(route);
    confusion[ROUTES.indexOf(q.route)][ROUTES.indexOf(route)]++;
    if (route === q.route) right++;
    onProgress?.(predictions.length);
  }
  return { kind: router.kind, accuracy: queries.length ? right / queries.length : 0, confusion, predictions, ms: now() - t0 };
}

/**
 * The router chain in LCEL: a lambda that decides, then hands the same input to the destination
 * runnable (LangChain invokes a runnable returned from a RunnableLambda).
 */
export function routerChain(router: QueryRouter, destinations: Record<Route, Runnable<string, unknown>>, onDecision?: (d: Decision) => void): Runnable<string, unknown> {
  return RunnableLambda.from(async (query: string, config?: RunnableConfig) => {
    const d = await router.route(query, config);
    onDecision?.(d);
    return destinations[d.route];
  }).withConfig({ runName: `Router (${router.kind})` });
}
