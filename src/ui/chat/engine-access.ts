/**
 * Where labs, the chat playground and the prompting labs get their engine: an EngineSource.
 * In the app it is the app-wide model state (the model chosen in the model picker), provided
 * through Svelte context by the app (`provideEngineSource`) and handed to every lab as
 * `ctx.engine` by LabHost (the same object). In isolated component tests and pages rendered
 * outside the app it is the deterministic test double, labelled as such.
 */
import { getContext, setContext } from 'svelte';
import { LabError } from '../../lib/errors';
import { TEST_DOUBLE_ID } from '../../lib/engine/registry';
import type { ChatEngine, LoadProgress, ModelInfo } from '../../lib/engine/types';
import type { Models } from '../models/models.svelte';
import type { WebLLMModels } from '../models/webllm.svelte';

/**
 * The Models page's web-llm download manager, as much of it as a lab may use: what is cached,
 * downloads in flight, start and cancel one (the same path as the Models page's Download button).
 */
export type WebLLMDownloads = Pick<WebLLMModels, 'cached' | 'downloads' | 'download' | 'cancelDownload' | 'refreshCached'>;

export interface EngineHandle {
  engine: ChatEngine;
  modelId: string;
}

export interface EngineSource {
  /** The engine and model to use now (loads the model when needed). */
  get(): Promise<EngineHandle>;
  /** A short label of the current model for the UI. */
  readonly label: string;
  /** Whether the current model is a tiny one (labs explain what that means). */
  readonly tiny: boolean;
  /** Whether the current engine does constrained decoding (response_format json_schema). */
  readonly constrained: boolean;
  /** The current model's context window in tokens, when known. */
  readonly contextWindow: number | undefined;
  /** The current model id ('' before one is chosen). */
  readonly currentId: string;
  /** Makes `id` the current model (only with the app's model state). */
  select?(id: string): Promise<void>;
  /** Whether the app's model state (and so the model picker, web-llm and remote models) is available. */
  readonly hasPicker: boolean;
  /** The engine of any model, without changing the current choice (embedders, side-by-side runs). */
  engineFor(id: string, onProgress?: (p: LoadProgress) => void, opts?: { signal?: AbortSignal }): Promise<ChatEngine>;
  /** What is known of a model: name, capabilities ('chat', 'embeddings', 'tools'…), context window. */
  info(id: string): ModelInfo | undefined;
  /** The remote endpoint configured on the Models page (never its key), or null. */
  readonly remote: { baseUrl: string; model: string } | null;
  /** web-llm downloads (only with the app's model state). */
  readonly webllm?: WebLLMDownloads;
}

/** The app's model state as an engine source. */
export function engineSourceFromModels(models: Models): EngineSource {
  return {
    get: () => models.get(),
    get label() {
      return models.label;
    },
    get tiny() {
      return models.tiny;
    },
    get constrained() {
      return models.constrained;
    },
    get contextWindow() {
      return models.info(models.currentId)?.contextWindow;
    },
    get currentId() {
      return models.currentId;
    },
    select: (id) => models.select(id),
    hasPicker: true,
    engineFor: (id, onProgress, opts) => models.engineFor(id, onProgress, opts),
    info: (id) => models.info(id),
    get remote() {
      const r = models.endpoint.settings;
      return r?.baseUrl ? { baseUrl: r.baseUrl, model: r.model } : null;
    },
    webllm: models.webllm,
  };
}

const TEST_DOUBLE_INFO: ModelInfo = {
  id: TEST_DOUBLE_ID,
  engine: 'test-double',
  displayName: 'Test double (deterministic, no model)',
  capabilities: ['chat', 'tools', 'json_schema', 'embeddings'],
  contextWindow: 4096,
};

/** An engine source over the deterministic test double (tests, pages outside the app). */
export function createTestEngineSource(): EngineSource {
  // Loaded on first use: the test double (and the chat template it renders) stays out of the app's main chunk.
  let engine: Promise<ChatEngine> | null = null;
  const get = () => (engine ??= import('../../lib/engine/test-double').then((m) => m.createTestDoubleEngine()));
  return {
    async get() {
      return { engine: await get(), modelId: TEST_DOUBLE_ID };
    },
    label: TEST_DOUBLE_INFO.displayName,
    tiny: true,
    constrained: true,
    contextWindow: 4096,
    currentId: TEST_DOUBLE_ID,
    hasPicker: false,
    async engineFor(id) {
      if (id === TEST_DOUBLE_ID) return get();
      throw new LabError('model-not-found', `${id} needs the app's model registry, which is not available here.`, 'Open this lab in the app to use other models.');
    },
    info: (id) => (id === TEST_DOUBLE_ID ? TEST_DOUBLE_INFO : undefined),
    remote: null,
  };
}

const KEY = Symbol('engine-source');

/** Provides an engine source to the component tree below (the app; LabHost with `ctx.engine`). */
export function provideEngineSource(source: EngineSource): EngineSource {
  return setContext(KEY, source);
}

/**
 * The engine source for a component (call during component initialisation): the one the app
 * or LabHost provides, else a test double. Labs may use `ctx.engine`, which is the same object.
 */
export function useEngineSource(): EngineSource {
  return getContext<EngineSource | undefined>(KEY) ?? createTestEngineSource();
}

/** A Svelte context map holding `source` (for `render(..., { context })` in component tests). */
export function engineSourceContext(source: EngineSource): Map<unknown, unknown> {
  return new Map([[KEY, source]]);
}
