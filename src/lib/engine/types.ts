/**
 * The lab-wide model interface, shaped like OpenAI's `chat.completions.create` and
 * `embeddings.create`. Every backend (TinyLM, WebLLM, remote OpenAI-compatible) implements it,
 * so labs never know which one they hold. Framework-free: runs in Node, workers and the page.
 */

export type Role = 'system' | 'user' | 'assistant' | 'tool';

export interface ImageContentPart {
  type: 'image_url';
  image_url: { url: string };
}
export interface TextContentPart {
  type: 'text';
  text: string;
}
export type ContentPart = TextContentPart | ImageContentPart;

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: Role;
  content: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
}

export interface ToolDefinition {
  type: 'function';
  function: { name: string; description?: string; parameters?: JSONSchema };
}

/** A JSON Schema document (the subset each backend supports is documented by the backend). */
export type JSONSchema = { [key: string]: unknown };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object'; schema?: JSONSchema }
  | { type: 'json_schema'; json_schema: { name?: string; schema: JSONSchema; strict?: boolean } }
  | { type: 'grammar'; grammar: string };

export interface ChatCompletionRequest {
  messages: ChatMessage[];
  /** Backend-specific model id; omitted = the engine's current model. */
  model?: string;
  stream?: boolean;
  temperature?: number;
  top_p?: number;
  /** Extensions beyond OpenAI's API that our samplers and web-llm understand. */
  top_k?: number;
  min_p?: number;
  max_tokens?: number;
  stop?: string | string[];
  seed?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  repetition_penalty?: number;
  /** token id (as a string, like OpenAI) → bias added to its logit. */
  logit_bias?: Record<string, number>;
  logprobs?: boolean;
  top_logprobs?: number;
  response_format?: ResponseFormat;
  tools?: ToolDefinition[];
  tool_choice?: 'none' | 'auto' | { type: 'function'; function: { name: string } };
  n?: number;
  /** Aborts the request (same effect as `engine.interrupt()`, but scoped to this call). */
  signal?: AbortSignal;
}

export interface TopLogprob {
  token: string;
  logprob: number;
  bytes?: number[] | null;
  /** Our extension: the token id, when the backend knows it. */
  id?: number;
}
export interface TokenLogprob extends TopLogprob {
  top_logprobs: TopLogprob[];
}

export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  extra?: {
    /** seconds from request to first generated token */
    time_to_first_token_s?: number;
    prefill_tokens_per_s?: number;
    decode_tokens_per_s?: number;
    e2e_latency_s?: number;
    [key: string]: number | undefined;
  };
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'abort' | 'content_filter';

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: ChatMessage;
    finish_reason: FinishReason;
    logprobs?: { content: TokenLogprob[] | null } | null;
  }>;
  usage?: CompletionUsage;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: { role?: Role; content?: string | null; tool_calls?: ToolCall[] };
    finish_reason: FinishReason | null;
    logprobs?: { content: TokenLogprob[] | null } | null;
  }>;
  /** Present on the final chunk. */
  usage?: CompletionUsage;
}

export interface EmbeddingRequest {
  input: string | string[];
  model?: string;
  /** Our extension: queries and documents are embedded differently by some models. */
  input_type?: 'query' | 'document';
}
export interface EmbeddingResponse {
  object: 'list';
  model: string;
  data: Array<{ object: 'embedding'; index: number; embedding: number[] | Float32Array }>;
  usage: { prompt_tokens: number; total_tokens: number };
}

export type EngineKind = 'tinylm' | 'webllm' | 'remote' | 'test-double';

export interface ModelInfo {
  id: string;
  engine: EngineKind;
  displayName: string;
  contextWindow: number;
  capabilities: Array<'chat' | 'completion' | 'embeddings' | 'vision' | 'tools' | 'json_schema' | 'logprobs'>;
  /** bytes to download; 0 = built in */
  downloadBytes?: number;
  vramBytes?: number;
}

export interface LoadProgress {
  /** 0..1 */
  progress: number;
  text: string;
  loadedBytes?: number;
  totalBytes?: number;
  timeElapsedS?: number;
}

/** The one interface every backend implements. */
export interface ChatEngine {
  readonly kind: EngineKind;
  chat: {
    completions: {
      create(req: ChatCompletionRequest & { stream: true }): Promise<AsyncIterable<ChatCompletionChunk>>;
      create(req: ChatCompletionRequest & { stream?: false }): Promise<ChatCompletion>;
      create(req: ChatCompletionRequest): Promise<ChatCompletion | AsyncIterable<ChatCompletionChunk>>;
    };
  };
  embeddings: {
    create(req: EmbeddingRequest): Promise<EmbeddingResponse>;
  };
  /** Stops the generation in flight; the stream ends with finish_reason 'abort'. */
  interrupt(): Promise<void>;
  /** Frees the model (GPU memory, worker). */
  unload(): Promise<void>;
  /** Models this engine can serve. */
  listModels?(): Promise<ModelInfo[]>;
  /** Loads a model, reporting progress; resolves when ready. */
  load?(modelId: string, onProgress?: (p: LoadProgress) => void): Promise<void>;
  /** Tokenize with the current model's tokenizer, when the backend exposes one. */
  tokenize?(text: string): Promise<number[]>;
  detokenize?(ids: number[]): Promise<string>;
}
