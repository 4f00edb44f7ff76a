/**
 * One run of the Components lab: the chain built from the learner's blocks, its results, the
 * streamed text, the run tree, and the fix-and-retry step after a parse failure. LangChain is
 * imported here only (this module is part of the lab's lazily loaded chunk).
 */
import { EngineChatModel, type EngineProvider } from '../../lib/langchain/chat-model';
import { RunTreeHandler, showValue, type RunNode } from '../../lib/langchain/run-tree';
import { fixAndRetry, runChain, type ChainSpec, type RunMode } from '../../lib/langchain/components';
import { explainError, isAbort, LabError } from '../../lib/errors';

/** Copies of the handler's nodes (it mutates them in place; the view needs new objects to update). */
const snapshot = (nodes: RunNode[]) => nodes.map((n) => ({ ...n }));

export interface ResultView {
  ok: boolean;
  text: string;
  raw?: string;
  error?: string;
}

export class ComponentsRun {
  running = $state(false);
  nodes = $state.raw<RunNode[]>([]);
  results = $state.raw<ResultView[]>([]);
  /** The value so far while streaming. */
  streaming = $state('');
  chunks = $state(0);
  error = $state<LabError | null>(null);
  retry = $state.raw<{ ok: boolean; text: string; value?: string; error?: string } | null>(null);
  modelId = $state('');
  #abort: AbortController | null = null;
  #model: EngineChatModel | null = null;
  #lastSpec: ChainSpec | null = null;

  constructor(private readonly provider: EngineProvider) {}

  private model() {
    return (this.#model ??= new EngineChatModel({ engine: this.provider }));
  }

  /** Runs the chain; resolves true when every result parsed. */
  async run(spec: ChainSpec, mode: RunMode): Promise<boolean> {
    this.stop();
    const ctl = new AbortController();
    this.#abort = ctl;
    this.running = true;
    this.error = null;
    this.retry = null;
    this.results = [];
    this.streaming = '';
    this.chunks = 0;
    this.#lastSpec = spec;
    const tree = new RunTreeHandler((n) => (this.nodes = snapshot(n)));
    tree.clear();
    try {
      const out = await runChain(spec, this.model(), mode, { callbacks: [tree], signal: ctl.signal }, (value, n) => {
        this.streaming = showValue(value);
        this.chunks = n;
      });
      this.modelId = this.model().lastModelId;
      this.chunks = out.chunks;
      this.results = out.results.map((r) => (r.ok ? { ok: true, text: showValue(r.value) } : { ok: false, text: '', raw: r.raw, error: explainError(r.error) }));
      return out.results.every((r) => r.ok);
    } catch (e) {
      if (!isAbort(e)) this.error = e instanceof LabError ? e : new LabError('unknown', explainError(e));
      return false;
    } finally {
      if (this.#abort === ctl) this.#abort = null;
      this.running = false;
      this.nodes = snapshot(tree.nodes);
    }
  }

  /** Sends the failed reply and the parser's error back to the model, then parses again. */
  async fix(vars: Record<string, string>, index = 0): Promise<boolean> {
    const failed = this.results[index];
    if (!this.#lastSpec || !failed || failed.ok) return false;
    const ctl = new AbortController();
    this.#abort = ctl;
    this.running = true;
    const before = this.nodes;
    const tree = new RunTreeHandler((n) => (this.nodes = [...before, ...snapshot(n)]));
    try {
      const r = await fixAndRetry(this.#lastSpec, this.model(), vars, failed.raw ?? '', failed.error ?? '', { callbacks: [tree], signal: ctl.signal });
      this.retry = r.ok ? { ok: true, text: r.text, value: showValue(r.value) } : { ok: false, text: r.text, error: explainError(r.error) };
      return r.ok;
    } catch (e) {
      if (!isAbort(e)) this.error = e instanceof LabError ? e : new LabError('unknown', explainError(e));
      return false;
    } finally {
      if (this.#abort === ctl) this.#abort = null;
      this.running = false;
    }
  }

  stop() {
    this.#abort?.abort();
    this.#abort = null;
  }
}
