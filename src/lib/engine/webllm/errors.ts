/**
 * Maps web-llm's failures to typed `EngineError`s with a next step.
 *
 * web-llm rejects across its worker boundary with plain strings (`err.toString()`, so
 * "ModelNotFoundError: Cannot find model record …"), and in-thread with Error subclasses whose
 * `name` carries the type. Both are normalised to one "Name: message" text and matched here.
 */
import { EngineError } from '../errors';

export interface WebLLMErrorContext {
  /** The model being loaded or used, when known. */
  modelId?: string;
  /** navigator.onLine at the time of the failure (false = offline). */
  online?: boolean;
  /** navigator.userAgent, for browser-specific advice. */
  userAgent?: string;
  /** Model ids known to exist, to offer a q4f32 variant when shader-f16 is missing. */
  knownModelIds?: readonly string[];
}

/** "Name: message" for anything web-llm may throw (strings, Errors, worker error events). */
export function errorText(err: unknown): string {
  if (typeof err === 'string') return err;
  if (err instanceof Error) return err.message.startsWith(err.name) ? err.message : `${err.name}: ${err.message}`;
  if (err && typeof err === 'object') {
    const o = err as { name?: unknown; message?: unknown; reason?: unknown };
    if (typeof o.message === 'string') return typeof o.name === 'string' ? `${o.name}: ${o.message}` : o.message;
    if (typeof o.reason === 'string') return o.reason;
  }
  try {
    return JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}

/** The q4f32 / q0f32 twin of an f16 model id, if one exists in `knownIds` (or unconditionally when none given). */
export function f32Variant(modelId: string, knownIds?: readonly string[]): string | null {
  const twin = modelId.replace(/q(\d)f16(_\d)?/, (_m, bits: string, suffix: string | undefined) => `q${bits}f32${suffix ?? ''}`);
  if (twin === modelId) return null;
  if (knownIds && !knownIds.includes(twin)) return null;
  return twin;
}

/** Which browser family a user agent string describes (for advice only). */
export function browserFamily(userAgent = ''): 'firefox' | 'safari' | 'edge' | 'chrome' | 'other' {
  const ua = userAgent;
  if (/Firefox\//.test(ua)) return 'firefox';
  if (/Edg\//.test(ua)) return 'edge';
  if (/Chrom(e|ium)\//.test(ua)) return 'chrome';
  if (/Safari\//.test(ua) && /Version\//.test(ua)) return 'safari';
  return 'other';
}

/** Browser-specific advice for turning WebGPU on (web-llm runs in a worker, so it needs WebGPU there too). */
export function webgpuAdvice(userAgent = ''): string {
  const linux = /Linux/.test(userAgent) && !/Android/.test(userAgent);
  switch (browserFamily(userAgent)) {
    case 'firefox':
      return (
        'Firefox enables WebGPU by default only on recent Windows and macOS releases, and web-llm needs it inside a web worker. ' +
        'Open about:config and set dom.webgpu.enabled and dom.webgpu.workers.enabled to true (Firefox Nightly may also be needed), ' +
        'then reload — or use Chrome/Edge 113+. The built-in TinyLM models work without WebGPU.'
      );
    case 'safari':
      return (
        'Safari supports WebGPU from Safari 26 (macOS/iOS 26). On older versions enable it under Develop › Feature Flags › WebGPU, ' +
        'or use Chrome/Edge 113+. The built-in TinyLM models work without WebGPU.'
      );
    case 'chrome':
    case 'edge':
      return linux
        ? 'Chromium-based browsers on Linux need chrome://flags/#enable-unsafe-webgpu and the Vulkan backend (--enable-features=Vulkan). ' +
            'Check chrome://gpu for "WebGPU: Hardware accelerated". The built-in TinyLM models work without WebGPU.'
        : 'Chrome/Edge 113+ support WebGPU on Windows, macOS and ChromeOS. If it is still missing, your GPU may be blocklisted: ' +
            'check chrome://gpu, update the graphics driver, and make sure hardware acceleration is on in the settings. ' +
            'The built-in TinyLM models work without WebGPU.';
    default:
      return 'Use a browser with WebGPU (Chrome or Edge 113+, Safari 26+, or Firefox with WebGPU enabled). The built-in TinyLM models work without WebGPU.';
  }
}

interface Rule {
  test: RegExp;
  make(text: string, ctx: WebLLMErrorContext, cause: unknown): EngineError;
}

const model = (ctx: WebLLMErrorContext) => (ctx.modelId ? `“${ctx.modelId}”` : 'the model');

// Order matters: the first matching rule wins (e.g. device lost before generic fetch failures).
const RULES: Rule[] = [
  {
    test: /AbortError|operation was aborted|signal is aborted|Engine\.unload\(\) is called|\binterrupted\b/i,
    make: (_t, _c, cause) => new EngineError('aborted', 'The request was stopped.', undefined, { cause }),
  },
  {
    test: /WebGPUNotAvailableError|WebGPUNotFoundError|Cannot find WebGPU|navigator\.gpu|WebGPU is not supported|Cannot find adapter/i,
    make: (_t, ctx, cause) =>
      new EngineError('no-webgpu', 'WebGPU is not available here, and WebLLM models need it.', webgpuAdvice(ctx.userAgent), { cause }),
  },
  {
    test: /ShaderF16SupportError|shader-f16/i,
    make: (_t, ctx, cause) => {
      const twin = ctx.modelId ? f32Variant(ctx.modelId, ctx.knownModelIds) : null;
      return new EngineError(
        'no-shader-f16',
        `${ctx.modelId ?? 'This model'} computes in 16-bit floats (shader-f16), which this GPU or browser does not offer.`,
        twin
          ? `Use the 32-bit variant “${twin}” instead: same model, a little more memory, no shader-f16 needed.`
          : 'Choose a q4f32 or q0f32 model: they run without shader-f16.',
        { cause },
      );
    },
  },
  {
    test: /DeviceLostError|device (was )?lost|GPUDeviceLostInfo|Device is lost|destroyed device/i,
    make: (_t, ctx, cause) =>
      new EngineError(
        'device-lost',
        `The GPU stopped responding while running ${model(ctx)} (usually it ran out of memory).`,
        'Reload the page, then pick a smaller model or a “-1k” variant with a shorter context window; close other GPU-heavy tabs.',
        { cause },
      ),
  },
  {
    test: /maxStorageBufferBindingSize|maxBufferSize|Out of memory|OOM\b|Failed to allocate|allocation failed|exceeds? (the )?limit/i,
    make: (_t, ctx, cause) =>
      new EngineError(
        'model-too-large',
        `${ctx.modelId ?? 'This model'} needs larger GPU buffers or more GPU memory than this device offers.`,
        'Pick a smaller model (the Models page marks what fits this device) or a “-1k” context variant.',
        { cause },
      ),
  },
  {
    test: /QuotaExceededError|quota|not enough (storage|space)|no space left/i,
    make: (_t, ctx, cause) =>
      new EngineError(
        'quota',
        `There is not enough browser storage left to download ${model(ctx)}.`,
        'Delete models you no longer use on the Models page, allow persistent storage, or free disk space, then try again.',
        { cause },
      ),
  },
  {
    test: /ContextWindowSizeExceededError|exceed(s)? context window|EmbeddingExceedContextWindowSizeError|context window size/i,
    make: (_t, ctx, cause) =>
      new EngineError(
        'context-window',
        `The conversation is longer than ${model(ctx)}'s context window.`,
        'Shorten the prompt, start a new conversation, lower max_tokens, or use a model with a larger context (not a “-1k” variant).',
        { cause },
      ),
  },
  {
    test: /ModelNotFoundError|SpecifiedModelNotFoundError|Cannot find model record|is not found in loaded models/i,
    make: (_t, ctx, cause) =>
      new EngineError(
        'model-not-found',
        `${ctx.modelId ? `“${ctx.modelId}” is` : 'This model is'} not in WebLLM's model list.`,
        'Pick a model from the Models page; model ids must match web-llm’s prebuilt list exactly.',
        { cause },
      ),
  },
  {
    test: /Failed to fetch|NetworkError|Load failed|net::ERR_|ERR_INTERNET_DISCONNECTED|Cannot fetch|fetch failed|network error/i,
    make: (_t, ctx, cause) =>
      ctx.online === false
        ? new EngineError(
            'not-cached',
            `You are offline and ${model(ctx)} is not (fully) downloaded yet.`,
            'Connect to the internet once to download it (the Models page shows progress); afterwards it works offline. TinyLM works offline now.',
            { cause },
          )
        : new EngineError(
            'network',
            `Could not download ${model(ctx)}: the model host (huggingface.co / GitHub) is unreachable — you may be offline — and it is not (fully) downloaded yet.`,
            'Check your connection, firewall or content blocker, then retry; parts already downloaded are kept, and once complete the model works offline.',
            { cause },
          ),
  },
  {
    test: /UnsupportedModelIdError|not supported for ChatCompletionRequest\.tools/i,
    make: (_t, ctx, cause) =>
      new EngineError(
        'invalid-request',
        `${ctx.modelId ?? 'This model'} does not support tool calling in WebLLM.`,
        'Use a Hermes model (e.g. Hermes-3-Llama-3.1-8B) for tools, or describe the tools in the prompt.',
        { cause },
      ),
  },
  {
    test: /UserMessageContentErrorForNonVLM|not of type ModelType\.VLM|UnsupportedContentPartError|CannotFindImageEmbedError/i,
    make: (_t, ctx, cause) =>
      new EngineError('invalid-request', `${ctx.modelId ?? 'This model'} does not accept images.`, 'Use Phi-3.5-vision for image inputs.', { cause }),
  },
  {
    test: /EmbeddingUnsupportedModelError|IncorrectPipelineLoadedError/i,
    make: (_t, ctx, cause) =>
      new EngineError(
        'invalid-request',
        `${ctx.modelId ?? 'This model'} cannot do that: chat and embedding models are separate in WebLLM.`,
        'Use a snowflake-arctic-embed model for embeddings and a chat model for chat (both can be loaded together).',
        { cause },
      ),
  },
  {
    test: /ConfigValueError|MinValueError|RangeError|NonNegativeError|InvalidNumberStringError|DependencyError|SeedTypeError|InvalidResponseFormat|GrammarMatcherInitError|StreamingCountError|SystemMessageOrderError|MessageOrderError|UnsupportedRoleError|ContentTypeError|UnsupportedFieldsError|InvalidToolChoiceError|CustomSystemPromptError|CustomResponseFormatError|EmbeddingInputEmptyError|Make sure /,
    make: (text, _c, cause) => new EngineError('invalid-request', stripName(text), 'Check the request parameters.', { cause }),
  },
  {
    test: /ModelNotLoadedError|WorkerEngineModelNotLoadedError|EngineNotLoadedError|ConfigurationNotInitializedError|not loaded/i,
    make: (_t, _c, cause) => new EngineError('invalid-request', 'No WebLLM model is loaded yet.', 'Choose and load a model first.', { cause }),
  },
];

function stripName(text: string): string {
  return text.replace(/^[A-Za-z]*Error:\s*/, '').split('\n')[0]!;
}

/** Turns anything web-llm throws (a string, an Error, an event) into an EngineError with a next step. */
export function mapWebLLMError(err: unknown, ctx: WebLLMErrorContext = {}): EngineError {
  if (err instanceof EngineError) return err;
  const text = errorText(err);
  for (const rule of RULES) if (rule.test.test(text)) return rule.make(text, ctx, text);
  return new EngineError('unknown', `WebLLM failed: ${stripName(text) || 'unknown error'}`, 'Reload the page and try again; if it persists, try another model.', {
    cause: text,
  });
}
