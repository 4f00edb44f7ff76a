/**
 * A LangChain callback handler of ours that records every runnable of a run as a tree: name,
 * kind, input, output (or error), start/end time and — for model calls — token usage. This is
 * what LangSmith shows as a "trace", built from the same callbacks, kept in memory for the labs.
 */
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { Serialized } from '@langchain/core/load/serializable';
import type { BaseMessage } from '@langchain/core/messages';
import type { LLMResult } from '@langchain/core/outputs';
import type { DocumentInterface } from '@langchain/core/documents';
import { toErrorData, type ErrorData } from '../errors';

export type RunKind = 'chain' | 'prompt' | 'llm' | 'parser' | 'retriever' | 'tool';

export interface RunNode {
  id: string;
  parentId?: string;
  name: string;
  kind: RunKind;
  /** Short text views (at most `MAX_TEXT` characters) of what went in and came out. */
  input: string;
  output?: string;
  error?: ErrorData;
  /** performance.now()-style milliseconds */
  start: number;
  end?: number;
  tokens?: { input: number; output: number };
  /** streamed tokens seen for a model run */
  streamed: number;
}

const MAX_TEXT = 4000;

/** Any runnable value as short readable text (messages as "[role] text"). */
export function showValue(v: unknown): string {
  const s = (() => {
    if (typeof v === 'string') return v;
    if (v == null) return String(v);
    if (isMessage(v)) return `[${v.type}] ${v.text}`;
    if (Array.isArray(v) && v.every(isMessage)) return v.map((m) => `[${m.type}] ${m.text}`).join('\n');
    if (typeof v === 'object' && 'messages' in v && Array.isArray((v as { messages: unknown }).messages)) return showValue((v as { messages: unknown[] }).messages);
    if (typeof v === 'object' && 'value' in v && typeof (v as { value: unknown }).value === 'string' && Object.keys(v).length <= 2) return (v as { value: string }).value;
    try {
      return JSON.stringify(v, (_k, x) => (isMessage(x) ? `[${x.type}] ${x.text}` : x), 1);
    } catch {
      return String(v);
    }
  })();
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s;
}

function isMessage(v: unknown): v is BaseMessage {
  return typeof v === 'object' && v !== null && typeof (v as BaseMessage).getType === 'function' && 'content' in v;
}

function kindOf(name: string, runType?: string): RunKind {
  if (runType === 'prompt' || /PromptTemplate$/.test(name)) return 'prompt';
  if (runType === 'parser' || /Parser$/.test(name)) return 'parser';
  return 'chain';
}

const nameOf = (s: Serialized | undefined, runName?: string) => runName ?? (s?.id?.length ? s.id[s.id.length - 1] : 'Runnable');

/** Collects the run tree of everything run with `{ callbacks: [handler] }`. */
export class RunTreeHandler extends BaseCallbackHandler {
  name = 'llm-lab-run-tree';
  override awaitHandlers = true;
  readonly nodes: RunNode[] = [];
  private byId = new Map<string, RunNode>();
  constructor(
    private readonly onChange?: (nodes: RunNode[]) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    super();
  }

  private add(node: Omit<RunNode, 'start' | 'streamed'>) {
    const n: RunNode = { ...node, start: this.now(), streamed: 0 };
    this.nodes.push(n);
    this.byId.set(n.id, n);
    this.onChange?.(this.nodes);
  }
  private finish(id: string, patch: Partial<RunNode>) {
    const n = this.byId.get(id);
    if (!n) return;
    Object.assign(n, patch, { end: this.now() });
    this.onChange?.(this.nodes);
  }

  /** Top-level runs (no parent recorded by this handler). */
  roots(): RunNode[] {
    return this.nodes.filter((n) => !n.parentId || !this.byId.has(n.parentId));
  }
  /** Direct children of a run, in start order. */
  children(id: string): RunNode[] {
    return this.nodes.filter((n) => n.parentId === id);
  }
  /** Total model tokens under (and including) a run. */
  tokensUnder(id: string): { input: number; output: number } {
    const sum = { input: 0, output: 0 };
    const walk = (n: RunNode) => {
      if (n.tokens) {
        sum.input += n.tokens.input;
        sum.output += n.tokens.output;
      }
      for (const c of this.children(n.id)) walk(c);
    };
    const n = this.byId.get(id);
    if (n) walk(n);
    return sum;
  }
  clear() {
    this.nodes.length = 0;
    this.byId.clear();
    this.onChange?.(this.nodes);
  }

  // The callback manager calls (chain, inputs, runId, parentRunId, tags, metadata, runType, runName)
  // in @langchain/core 1.x, whatever the declaration's parameter names say; we follow the runtime.
  override handleChainStart(chain: Serialized, inputs: unknown, runId: string, parentRunId?: string, _tags?: string[], _metadata?: Record<string, unknown>, runType?: string, runName?: string) {
    const name = nameOf(chain, runName);
    this.add({ id: runId, parentId: parentRunId, name, kind: kindOf(name, runType), input: showValue(inputs) });
  }
  override handleChainEnd(outputs: unknown, runId: string) {
    this.finish(runId, { output: showValue(outputs) });
  }
  override handleChainError(err: Error, runId: string) {
    this.finish(runId, { error: toErrorData(err) });
  }

  override handleChatModelStart(llm: Serialized, messages: BaseMessage[][], runId: string, parentRunId?: string, _extra?: Record<string, unknown>, _tags?: string[], _metadata?: Record<string, unknown>, runName?: string) {
    this.add({ id: runId, parentId: parentRunId, name: nameOf(llm, runName), kind: 'llm', input: showValue(messages[0] ?? []) });
  }
  override handleLLMStart(llm: Serialized, prompts: string[], runId: string, parentRunId?: string, _extra?: Record<string, unknown>, _tags?: string[], _metadata?: Record<string, unknown>, runName?: string) {
    this.add({ id: runId, parentId: parentRunId, name: nameOf(llm, runName), kind: 'llm', input: showValue(prompts.join('\n')) });
  }
  override handleLLMNewToken(_token: string, _idx: unknown, runId: string) {
    const n = this.byId.get(runId);
    if (n) n.streamed++;
  }
  override handleLLMEnd(output: LLMResult, runId: string) {
    const gen = output.generations[0]?.[0] as { text: string; message?: { usage_metadata?: { input_tokens: number; output_tokens: number }; tool_calls?: unknown[] } } | undefined;
    const usage = gen?.message?.usage_metadata;
    const fromLlm = output.llmOutput?.tokenUsage as { prompt_tokens?: number; completion_tokens?: number } | undefined;
    const tokens = usage ? { input: usage.input_tokens, output: usage.output_tokens } : fromLlm ? { input: fromLlm.prompt_tokens ?? 0, output: fromLlm.completion_tokens ?? 0 } : undefined;
    const calls = gen?.message?.tool_calls?.length ? ` ${showValue(gen.message.tool_calls)}` : '';
    this.finish(runId, { output: (gen?.text ?? '') + calls, tokens });
  }
  override handleLLMError(err: Error, runId: string) {
    this.finish(runId, { error: toErrorData(err) });
  }

  override handleRetrieverStart(retriever: Serialized, query: string, runId: string, parentRunId?: string, _tags?: string[], _metadata?: Record<string, unknown>, name?: string) {
    this.add({ id: runId, parentId: parentRunId, name: nameOf(retriever, name), kind: 'retriever', input: query });
  }
  override handleRetrieverEnd(documents: DocumentInterface[], runId: string) {
    this.finish(runId, { output: documents.map((d, i) => `[${i + 1}] ${d.pageContent.slice(0, 160)}`).join('\n') });
  }
  override handleRetrieverError(err: Error, runId: string) {
    this.finish(runId, { error: toErrorData(err) });
  }

  override handleToolStart(tool: Serialized, input: string, runId: string, parentRunId?: string, _tags?: string[], _metadata?: Record<string, unknown>, runName?: string) {
    this.add({ id: runId, parentId: parentRunId, name: nameOf(tool, runName), kind: 'tool', input });
  }
  override handleToolEnd(output: unknown, runId: string) {
    this.finish(runId, { output: showValue(output) });
  }
  override handleToolError(err: Error, runId: string) {
    this.finish(runId, { error: toErrorData(err) });
  }
}
