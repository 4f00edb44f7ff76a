/**
 * Our `ChatEngine` (TinyLM, web-llm, remote OpenAI-compatible, test double) as a LangChain.js
 * chat model, so `prompt.pipe(model).pipe(parser)` drives whichever model is current.
 *
 * - `invoke` → one non-streaming `chat.completions.create`; `stream` → the engine's chunks, one
 *   `AIMessageChunk` per delta (joined, they are the `invoke` text under greedy decoding).
 * - Call options map one to one onto the request: `stop`, `temperature`, `seed`, `maxTokens`,
 *   `tools`/`tool_choice` (from `bindTools`), `response_format`, and the runnable's `signal`.
 * - `usage_metadata` comes from the engine's `usage`; finish reason and model in `response_metadata`.
 * - `withStructuredOutput` defaults to `response_format: json_schema` (constrained decoding on
 *   TinyLM, so the reply always parses) and falls back to LangChain's tool-calling method on request.
 * - Failures keep our `LabError` (code, message, next step); LangChain's retries are off, because
 *   a context-window error does not go away by trying again.
 *
 * Import this module dynamically: @langchain/core must never land in the main chunk.
 */
import { BaseChatModel, type BaseChatModelCallOptions, type BaseChatModelParams, type BindToolsInput } from '@langchain/core/language_models/chat_models';
import type { BaseLanguageModelInput, StructuredOutputMethodOptions } from '@langchain/core/language_models/base';
import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import { AIMessage, AIMessageChunk, type BaseMessage, type UsageMetadata } from '@langchain/core/messages';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';
import { RunnableLambda, type Runnable } from '@langchain/core/runnables';
import { convertToOpenAITool } from '@langchain/core/utils/function_calling';
import { isStandardSchema } from '@langchain/core/utils/standard_schema';
import { asLabError, LabError } from '../errors';
import type { ChatCompletionChunk, ChatCompletionRequest, ChatEngine, ChatMessage, CompletionUsage, JSONSchema, ResponseFormat, ToolCall, ToolDefinition } from '../engine/types';

/** Where the model comes from: a fixed engine, or a getter (the app's current model, loaded on demand). */
export type EngineProvider = ChatEngine | (() => Promise<{ engine: ChatEngine; modelId?: string }>);

export interface EngineChatModelFields extends BaseChatModelParams {
  engine: EngineProvider;
  /** Model id passed to the engine (omitted = the engine's current model). */
  model?: string;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  seed?: number;
  stop?: string[];
}

export interface EngineChatCallOptions extends BaseChatModelCallOptions {
  tools?: ToolDefinition[];
  response_format?: ResponseFormat;
  temperature?: number;
  seed?: number;
  maxTokens?: number;
}

/** LangChain messages → OpenAI-shaped messages (tool calls with JSON-string arguments). */
export function toEngineMessages(messages: BaseMessage[]): ChatMessage[] {
  return messages.map((m): ChatMessage => {
    const content = m.text;
    switch (m.type) {
      case 'system':
        return { role: 'system', content };
      case 'human':
        return { role: 'user', content };
      case 'ai': {
        const calls = (m as AIMessage).tool_calls ?? [];
        const out: ChatMessage = { role: 'assistant', content };
        if (calls.length) out.tool_calls = calls.map((c, i) => ({ id: c.id ?? `call_${i}`, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.args) } }));
        return out;
      }
      case 'tool':
        return { role: 'tool', content, tool_call_id: (m as unknown as { tool_call_id: string }).tool_call_id };
      default:
        throw new LabError('bad-input', `A “${m.type}” message cannot be sent to a chat model.`, 'Use system, human, AI or tool messages.');
    }
  });
}

const toUsage = (u: CompletionUsage | undefined): UsageMetadata | undefined =>
  u ? { input_tokens: u.prompt_tokens, output_tokens: u.completion_tokens, total_tokens: u.total_tokens } : undefined;

function parseArgs(call: ToolCall): Record<string, unknown> {
  try {
    const v = JSON.parse(call.function.arguments || '{}');
    return v && typeof v === 'object' && !Array.isArray(v) ? v : { value: v };
  } catch {
    throw new LabError('bad-response', `The model called ${call.function.name} with arguments that are not JSON: ${call.function.arguments}`, 'Try again, or use a model trained for tool calls.');
  }
}

const abortError = () => new LabError('aborted', 'Generation stopped.', undefined);

/** A LangChain chat model over one of our engines. */
export class EngineChatModel extends BaseChatModel<EngineChatCallOptions, AIMessageChunk> {
  static override lc_name() {
    return 'EngineChatModel';
  }
  readonly provider: EngineProvider;
  model?: string;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  seed?: number;
  stop?: string[];
  /** The model id the last request was served by (for run trees and share links). */
  lastModelId = '';

  constructor(fields: EngineChatModelFields) {
    super({ maxRetries: 0, ...fields });
    this.provider = fields.engine;
    this.model = fields.model;
    this.temperature = fields.temperature;
    this.topP = fields.topP;
    this.maxTokens = fields.maxTokens;
    this.seed = fields.seed;
    this.stop = fields.stop;
  }

  _llmType(): string {
    return 'llm-lab-engine';
  }

  private async resolve(): Promise<{ engine: ChatEngine; modelId?: string }> {
    if (typeof this.provider === 'function') return this.provider();
    return { engine: this.provider, modelId: this.model };
  }

  /** The request our engine receives for these messages and options (exported for the "exact prompt" views). */
  requestFor(messages: BaseMessage[], options: this['ParsedCallOptions'], modelId?: string): ChatCompletionRequest {
    const stop = options.stop ?? this.stop;
    const req: ChatCompletionRequest = {
      messages: toEngineMessages(messages),
      model: this.model ?? modelId,
      temperature: options.temperature ?? this.temperature,
      top_p: this.topP,
      max_tokens: options.maxTokens ?? this.maxTokens,
      seed: options.seed ?? this.seed,
      signal: options.signal,
    };
    if (stop?.length) req.stop = stop;
    if (options.tools?.length) req.tools = options.tools;
    if (options.tool_choice !== undefined) req.tool_choice = toToolChoice(options.tool_choice);
    if (options.response_format) req.response_format = options.response_format;
    for (const k of Object.keys(req) as (keyof ChatCompletionRequest)[]) if (req[k] === undefined) delete req[k];
    return req;
  }

  override invocationParams(options?: this['ParsedCallOptions']) {
    return { model: this.model, temperature: options?.temperature ?? this.temperature, seed: options?.seed ?? this.seed, max_tokens: options?.maxTokens ?? this.maxTokens };
  }

  async _generate(messages: BaseMessage[], options: this['ParsedCallOptions'], runManager?: CallbackManagerForLLMRun): Promise<ChatResult> {
    void runManager;
    if (options.signal?.aborted) throw abortError();
    const { engine, modelId } = await this.resolve();
    let res;
    try {
      res = await engine.chat.completions.create({ ...this.requestFor(messages, options, modelId), stream: false });
    } catch (e) {
      throw asLabError(e);
    }
    this.lastModelId = res.model;
    const choice = res.choices[0];
    if (choice.finish_reason === 'abort' || options.signal?.aborted) throw abortError();
    const text = typeof choice.message.content === 'string' ? choice.message.content : '';
    const message = new AIMessage({
      content: text,
      tool_calls: (choice.message.tool_calls ?? []).map((c) => ({ id: c.id, name: c.function.name, args: parseArgs(c), type: 'tool_call' as const })),
      usage_metadata: toUsage(res.usage),
      response_metadata: { finish_reason: choice.finish_reason, model_name: res.model },
    });
    return { generations: [{ text, message, generationInfo: { finish_reason: choice.finish_reason } }], llmOutput: { tokenUsage: res.usage } };
  }

  override async *_streamResponseChunks(messages: BaseMessage[], options: this['ParsedCallOptions'], runManager?: CallbackManagerForLLMRun): AsyncGenerator<ChatGenerationChunk> {
    if (options.signal?.aborted) throw abortError();
    const { engine, modelId } = await this.resolve();
    let stream: AsyncIterable<ChatCompletionChunk>;
    try {
      stream = await engine.chat.completions.create({ ...this.requestFor(messages, options, modelId), stream: true });
    } catch (e) {
      throw asLabError(e);
    }
    let toolIndex = 0;
    try {
      for await (const chunk of stream) {
        this.lastModelId = chunk.model;
        const choice = chunk.choices[0];
        if (choice?.finish_reason === 'abort') throw abortError();
        const text = choice?.delta.content ?? '';
        const calls = choice?.delta.tool_calls ?? [];
        const usage = toUsage(chunk.usage);
        if (!text && !calls.length && !usage && !choice?.finish_reason) continue;
        const message = new AIMessageChunk({
          content: text,
          tool_call_chunks: calls.map((c) => ({ id: c.id, name: c.function.name, args: c.function.arguments, index: toolIndex++, type: 'tool_call_chunk' as const })),
          usage_metadata: usage,
          response_metadata: choice?.finish_reason ? { finish_reason: choice.finish_reason, model_name: chunk.model } : {},
        });
        yield new ChatGenerationChunk({ text, message, generationInfo: choice?.finish_reason ? { finish_reason: choice.finish_reason } : undefined });
        if (text) await runManager?.handleLLMNewToken(text);
      }
    } catch (e) {
      throw asLabError(e);
    }
    if (options.signal?.aborted) throw abortError();
  }

  override bindTools(tools: BindToolsInput[], kwargs?: Partial<EngineChatCallOptions>): Runnable<BaseLanguageModelInput, AIMessageChunk, EngineChatCallOptions> {
    return this.withConfig({ tools: tools.map((t) => convertToOpenAITool(t) as ToolDefinition), ...kwargs } as Partial<EngineChatCallOptions>);
  }

  /**
   * Structured output. Default method 'jsonSchema': the engine's `response_format` (constrained
   * decoding where supported), then JSON.parse and — for a standard schema such as valibot's —
   * its validation. A plain JSON Schema object is sent as is; a standard schema needs
   * `config.jsonSchema` (valibot has no built-in JSON Schema export here). 'functionCalling'
   * uses LangChain's own tool-call implementation.
   */
  // @ts-expect-error — LangChain declares several overloads; this one implementation serves them.
  override withStructuredOutput<RunOutput extends Record<string, unknown>>(
    outputSchema: JSONSchema | { '~standard': unknown },
    config?: StructuredOutputMethodOptions<false> & { jsonSchema?: JSONSchema },
  ): Runnable<BaseLanguageModelInput, RunOutput> {
    if (config?.method === 'functionCalling') return super.withStructuredOutput(outputSchema as Record<string, unknown>, config) as unknown as Runnable<BaseLanguageModelInput, RunOutput>;
    const standard = isStandardSchema(outputSchema) ? outputSchema : null;
    const schema = standard ? config?.jsonSchema : (outputSchema as JSONSchema);
    if (!schema) throw new LabError('bad-input', 'This schema has no JSON Schema to send to the model.', 'Pass { jsonSchema } next to a valibot schema, or a plain JSON Schema object.');
    const bound = this.withConfig({ response_format: { type: 'json_schema', json_schema: { name: config?.name ?? 'output', schema } } } as Partial<EngineChatCallOptions>);
    const parse = RunnableLambda.from(async (msg: AIMessageChunk): Promise<RunOutput> => {
      let value: unknown;
      try {
        value = JSON.parse(msg.text);
      } catch {
        throw new LabError('bad-response', `The reply is not JSON: ${msg.text.slice(0, 200)}`, 'Turn on constrained decoding, or use a model that follows JSON instructions.');
      }
      if (standard) {
        const r = await standard['~standard'].validate(value);
        if (r.issues) throw new LabError('bad-response', `The JSON does not match the schema: ${r.issues.map((i) => i.message).join('; ')}`, 'Retry, or relax the schema.');
        return r.value as RunOutput;
      }
      return value as RunOutput;
    }).withConfig({ runName: 'StructuredOutputParser' });
    return bound.pipe(parse).withConfig({ runName: 'StructuredOutput' }) as unknown as Runnable<BaseLanguageModelInput, RunOutput>;
  }
}

function toToolChoice(choice: unknown): ChatCompletionRequest['tool_choice'] {
  if (choice === 'none' || choice === 'auto') return choice;
  if (choice === 'any' || choice === 'required') return 'auto';
  if (typeof choice === 'string') return { type: 'function', function: { name: choice } };
  if (choice && typeof choice === 'object' && 'function' in choice) return choice as ChatCompletionRequest['tool_choice'];
  return undefined;
}
