/**
 * The router lab's state: the three routers built from the learner's rules and examples, one
 * routed query at a time through the LCEL router chain (with its run tree), and the live
 * evaluation of each router on the labelled queries.
 */
import { DynamicTool } from '@langchain/core/tools';
import { RunnableLambda, type Runnable } from '@langchain/core/runnables';
import { EngineChatModel } from '../../lib/langchain/chat-model';
import { RunTreeHandler, type RunNode } from '../../lib/langchain/run-tree';
import { calculate } from '../../lib/langchain/calculator';
import { ROUTER_QUERIES, ROUTES, evaluateRouter, keywordRouter, llmRouter, parseExamples, routerChain, semanticRouter, type Decision, type QueryRouter, type Route, type RouterEval, type RouterKind } from '../../lib/langchain/router';
import { EmbedderEmbeddings, RagRetriever } from '../../lib/rag/langchain';
import { LexicalEmbedder } from '../../lib/rag/embedders';
import { asLabError, isAbort, LabError } from '../../lib/errors';
import type { EngineHandle } from '../../ui/chat/engine-access';
import { loadCourseCollection } from '../rag-common/course-loader';

export interface RouterSettings {
  rules: string;
  examples: string;
  k: number;
  describe: boolean;
}

export const ROUTER_KINDS: Array<{ id: RouterKind; title: string }> = [
  { id: 'keyword', title: 'Keyword rules' },
  { id: 'semantic', title: 'Semantic (nearest examples)' },
  { id: 'llm', title: 'LLM classifier (constrained)' },
];

export class RouterLab {
  running = $state(false);
  error = $state<LabError | null>(null);
  decisions = $state.raw<Partial<Record<RouterKind, Decision>>>({});
  answer = $state<{ route: Route; text: string; error?: LabError; note?: string } | null>(null);
  nodes = $state.raw<RunNode[]>([]);
  evals = $state.raw<Partial<Record<RouterKind, RouterEval>>>({});
  progress = $state(0);
  evaluating = $state(false);
  modelId = $state('');
  #model: EngineChatModel;
  #abort: AbortController | null = null;
  #retriever: Promise<RagRetriever> | null = null;

  constructor(
    private readonly get: () => Promise<EngineHandle>,
    private readonly gpuLoaded: () => boolean,
  ) {
    this.#model = new EngineChatModel({ engine: get });
  }

  /** The three routers from the current settings (parse errors become a LabError). */
  async routers(s: RouterSettings): Promise<Record<RouterKind, QueryRouter>> {
    return {
      keyword: keywordRouter(s.rules),
      semantic: await semanticRouter(parseExamples(s.examples), new EmbedderEmbeddings(new LexicalEmbedder()), s.k),
      llm: llmRouter(this.#model, s.describe),
    };
  }

  private retriever(): Promise<RagRetriever> {
    return (this.#retriever ??= loadCourseCollection().then((c) => new RagRetriever(c.retriever, { k: 2, mode: 'hybrid' })));
  }

  /** The destinations of the router chain. */
  private destinations(): Record<Route, Runnable<string, unknown>> {
    const calculator = new DynamicTool({
      name: 'calculator',
      description: 'Evaluates arithmetic written in words or symbols.',
      func: async (q: string) => {
        const r = calculate(q);
        return `${r.expression} = ${r.value}`;
      },
    });
    const chat = this.#model.withConfig({ temperature: 0, maxTokens: 64 } as never).pipe(RunnableLambda.from((m: { text: string }) => m.text));
    const retrieval = RunnableLambda.from(async (q: string, config) => {
      const docs = await (await this.retriever()).invoke(q, config);
      return docs.map((d, i) => `[${i + 1}] ${String(d.metadata.source ?? '')}${d.metadata.heading ? ` — ${d.metadata.heading}` : ''}\n${d.pageContent.slice(0, 400)}`).join('\n\n');
    }).withConfig({ runName: 'CourseRetriever' });
    return { calculator: calculator as unknown as Runnable<string, unknown>, retrieval, chat, gpu: chat };
  }

  /** Routes one query with all three routers, then answers it through the chain driven by `driver`. */
  async ask(query: string, driver: RouterKind, s: RouterSettings): Promise<void> {
    this.stop();
    const ctl = (this.#abort = new AbortController());
    this.running = true;
    this.error = null;
    this.answer = null;
    this.decisions = {};
    try {
      if (!query.trim()) throw new LabError('bad-input', 'The query is empty.', 'Type a question, a sum, or a request.');
      const routers = await this.routers(s);
      const decisions: Partial<Record<RouterKind, Decision>> = {};
      for (const k of ['keyword', 'semantic'] as const) decisions[k] = await routers[k].route(query);
      this.decisions = { ...decisions };
      const tree = new RunTreeHandler((n) => (this.nodes = n.map((x) => ({ ...x }))));
      let chosen: Decision | null = null;
      const chain = routerChain(routers[driver], this.destinations(), (d) => (chosen = d));
      let text = '';
      let err: LabError | undefined;
      try {
        const out = await chain.invoke(query, { callbacks: [tree], signal: ctl.signal });
        text = String(out);
      } catch (e) {
        if (isAbort(e)) throw e;
        err = asLabError(e);
      }
      // the LLM router's own decision, for the side-by-side (already made when it drove the chain)
      decisions.llm = driver === 'llm' && chosen ? chosen : await routers.llm.route(query, { signal: ctl.signal });
      this.decisions = { ...decisions };
      const route = (chosen as Decision | null)?.route ?? 'chat';
      const note = route === 'gpu' && !this.gpuLoaded() ? 'No GPU or remote model is loaded, so the chat model answered this one. Load one on the Models page.' : undefined;
      this.answer = { route, text, error: err, note };
      this.modelId = this.#model.lastModelId;
      this.nodes = tree.nodes.map((x) => ({ ...x }));
    } catch (e) {
      if (!isAbort(e)) this.error = asLabError(e);
    } finally {
      this.running = false;
      if (this.#abort === ctl) this.#abort = null;
    }
  }

  /** Evaluates all three routers on the labelled queries, one after another. */
  async evaluate(s: RouterSettings): Promise<boolean> {
    this.stop();
    const ctl = (this.#abort = new AbortController());
    this.running = true;
    this.evaluating = true;
    this.error = null;
    this.evals = {};
    try {
      const routers = await this.routers(s);
      for (const k of ['keyword', 'semantic', 'llm'] as const) {
        this.progress = 0;
        const ev = await evaluateRouter(routers[k], ROUTER_QUERIES, { signal: ctl.signal }, (n) => (this.progress = n));
        this.evals = { ...this.evals, [k]: ev };
      }
      this.modelId = this.#model.lastModelId || this.modelId;
      return true;
    } catch (e) {
      if (!isAbort(e)) this.error = asLabError(e);
      return false;
    } finally {
      this.running = false;
      this.evaluating = false;
      if (this.#abort === ctl) this.#abort = null;
    }
  }

  stop() {
    this.#abort?.abort();
    this.#abort = null;
  }
}

export { ROUTES, ROUTER_QUERIES };
