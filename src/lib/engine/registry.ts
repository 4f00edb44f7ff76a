/**
 * Which backend serves a model id, and lazily created engines for each backend.
 *
 * Model ids: TinyLM built-ins as TinyLM names them (`tinylm-…`), web-llm's prebuilt ids as web-llm
 * names them (they all contain `-MLC`), remote models as `remote:<server's model name>`, and the
 * deterministic test double as `test-double…` (only when enabled, for tests and demos).
 * Backends are created on first use only — web-llm's adapter through a dynamic `import()`, so the
 * 6 MB library never loads until a web-llm model is chosen. Framework-free.
 */
import type { Capabilities } from '../capabilities/detect';
import { EngineError } from './errors';
import type { RemoteConfig } from './remote';
import type { ChatEngine, EngineKind, LoadProgress, ModelInfo } from './types';

export const REMOTE_PREFIX = 'remote:';
export const TEST_DOUBLE_ID = 'test-double';

/** The backend for a model id (null when no backend claims it). */
export function backendFor(modelId: string, builtinIds: readonly string[] = []): EngineKind | null {
  if (modelId.startsWith(REMOTE_PREFIX)) return 'remote';
  if (modelId.startsWith(TEST_DOUBLE_ID)) return 'test-double';
  if (builtinIds.includes(modelId) || /^tinylm/i.test(modelId)) return 'tinylm';
  if (/-MLC(-|$)/.test(modelId)) return 'webllm';
  return null;
}

/** The id a backend itself uses for a registry model id (strips `remote:`). */
export function backendModelId(modelId: string): string {
  return modelId.startsWith(REMOTE_PREFIX) ? modelId.slice(REMOTE_PREFIX.length) : modelId;
}

/** A registry id for a remote server's model name. */
export function remoteModelId(name: string): string {
  return REMOTE_PREFIX + name;
}

/** An engine that can load models (the web-llm adapter's `load` also takes a signal). */
export type LoadableEngine = ChatEngine & {
  load?(modelId: string, onProgress?: (p: LoadProgress) => void, opts?: { signal?: AbortSignal }): Promise<void>;
};

export interface RegistryDeps {
  /** The built-in TinyLM models (always available, no download). */
  builtinModels: ModelInfo[];
  /** Creates the TinyLM engine (normally B2's worker engine). */
  createTinyLM: () => LoadableEngine | Promise<LoadableEngine>;
  /** Creates the web-llm engine; default: the adapter, dynamically imported, with `capabilities`. */
  createWebLLM?: () => Promise<LoadableEngine>;
  /** Creates the test double (only used when `testDouble` is on); default: dynamic import. */
  createTestDouble?: () => Promise<LoadableEngine>;
  /** The current remote endpoint settings (null = none configured). */
  remote?: () => RemoteConfig | null;
  createRemote?: (config: RemoteConfig) => LoadableEngine | Promise<LoadableEngine>;
  capabilities?: () => Capabilities | undefined;
  /** Offer the deterministic test double (tests, demos). */
  testDouble?: boolean;
}

interface Slot {
  engine: LoadableEngine;
  /** The model this engine has loaded (backend id). */
  loaded: string | null;
  /** For remote: the config the engine was made with. */
  key?: string;
}

/** Maps model ids to backends and keeps one lazily created engine per backend. */
export class EngineRegistry {
  #deps: RegistryDeps;
  #slots = new Map<EngineKind, Promise<Slot>>();
  #loads = new Map<EngineKind, Promise<void>>();

  constructor(deps: RegistryDeps) {
    this.#deps = deps;
  }

  /** The backend that serves `modelId`, or an EngineError when none does. */
  kindOf(modelId: string): EngineKind {
    const kind = backendFor(modelId, this.#deps.builtinModels.map((m) => m.id));
    if (!kind || (kind === 'test-double' && !this.#deps.testDouble)) {
      throw new EngineError('model-not-found', `No backend serves the model “${modelId}”.`, 'Pick a model from the model picker.');
    }
    if (kind === 'remote' && !this.#deps.remote?.()) {
      throw new EngineError('invalid-request', 'No remote endpoint is configured.', 'Set its URL on the Models page.');
    }
    return kind;
  }

  async #create(kind: EngineKind): Promise<Slot> {
    const d = this.#deps;
    switch (kind) {
      case 'tinylm':
        return { engine: await d.createTinyLM(), loaded: null };
      case 'webllm': {
        const make =
          d.createWebLLM ??
          (async () => {
            const { createWebLLMEngine } = await import('./webllm/adapter');
            return createWebLLMEngine({ capabilities: () => d.capabilities?.() });
          });
        return { engine: await make(), loaded: null };
      }
      case 'test-double': {
        const make = d.createTestDouble ?? (async () => (await import('./test-double')).createTestDoubleEngine());
        return { engine: await make(), loaded: TEST_DOUBLE_ID };
      }
      case 'remote': {
        const cfg = d.remote?.();
        if (!cfg) throw new EngineError('invalid-request', 'No remote endpoint is configured.', 'Set its URL on the Models page.');
        const make = d.createRemote ?? (async (c: RemoteConfig) => (await import('./remote')).createRemoteEngine(c));
        return { engine: await make(cfg), loaded: null, key: remoteKey(cfg) };
      }
    }
  }

  async #slot(kind: EngineKind): Promise<Slot> {
    let p = this.#slots.get(kind);
    if (p && kind === 'remote') {
      const slot = await p;
      if (slot.key !== remoteKey(this.#deps.remote?.() ?? null)) {
        // The endpoint settings changed: drop the old engine.
        await slot.engine.unload().catch(() => {});
        this.#slots.delete(kind);
        p = undefined;
      }
    }
    if (!p) {
      p = this.#create(kind);
      this.#slots.set(kind, p);
      p.catch(() => this.#slots.delete(kind));
    }
    return p;
  }

  /**
   * The engine serving `modelId`, with that model loaded (downloading it if needed, reporting
   * progress). The returned engine serves requests without a `model` field for this model.
   */
  async engineFor(modelId: string, onProgress?: (p: LoadProgress) => void, opts: { signal?: AbortSignal } = {}): Promise<LoadableEngine> {
    const kind = this.kindOf(modelId);
    const slot = await this.#slot(kind);
    const id = backendModelId(modelId);
    if (kind === 'remote') {
      // Remote engines are bound to a model name: rebuild one whose default model differs.
      const engine = slot.engine as LoadableEngine & { config?: RemoteConfig };
      if (engine.config && engine.config.model !== id) {
        const make = this.#deps.createRemote ?? (async (c: RemoteConfig) => (await import('./remote')).createRemoteEngine(c));
        slot.engine = await make({ ...engine.config, model: id });
      }
      slot.loaded = id;
      return slot.engine;
    }
    if (slot.loaded === id) return slot.engine;
    const previous = this.#loads.get(kind);
    const load = (async () => {
      await previous?.catch(() => {});
      if (slot.loaded === id) return;
      slot.loaded = null;
      await slot.engine.load?.(id, onProgress, opts);
      slot.loaded = id;
    })();
    this.#loads.set(kind, load);
    try {
      await load;
    } finally {
      if (this.#loads.get(kind) === load) this.#loads.delete(kind);
    }
    return slot.engine;
  }

  /** The engine of a backend, created if needed, without loading any model (e.g. to list models). */
  async backend(kind: EngineKind): Promise<LoadableEngine> {
    return (await this.#slot(kind)).engine;
  }

  /** Replaces the built-in model list (known once the TinyLM module has been asked). */
  setBuiltins(models: ModelInfo[]): void {
    this.#deps = { ...this.#deps, builtinModels: models };
  }

  /** Turns the test double on or off (the app offers it when no TinyLM model is available). */
  setTestDouble(on: boolean): void {
    this.#deps = { ...this.#deps, testDouble: on };
  }

  /** The engine for a backend if it was already created (no side effects). */
  async peek(kind: EngineKind): Promise<LoadableEngine | null> {
    const p = this.#slots.get(kind);
    return p ? (await p).engine : null;
  }

  /** The model a backend has loaded, if any. */
  async loadedModel(kind: EngineKind): Promise<string | null> {
    const p = this.#slots.get(kind);
    return p ? (await p).loaded : null;
  }

  /** Unloads one backend (e.g. to free GPU memory), or all of them. */
  async unload(kind?: EngineKind): Promise<void> {
    const kinds = kind ? [kind] : [...this.#slots.keys()];
    for (const k of kinds) {
      const p = this.#slots.get(k);
      this.#slots.delete(k);
      if (p) await (await p.catch(() => null))?.engine.unload().catch(() => {});
    }
  }

  /** Models every backend offers right now: built-ins, then the test double (when on). */
  listBuiltins(): ModelInfo[] {
    const out = [...this.#deps.builtinModels];
    if (this.#deps.testDouble) {
      out.push({ id: TEST_DOUBLE_ID, engine: 'test-double', displayName: 'Test double (deterministic, no model)', contextWindow: 4096, capabilities: ['chat', 'embeddings', 'json_schema', 'logprobs', 'tools'], downloadBytes: 0 });
    }
    return out;
  }
}

function remoteKey(c: RemoteConfig | null): string {
  return c ? JSON.stringify([c.baseUrl, c.apiKey ?? '']) : '';
}

/** Creates a registry. */
export function createEngineRegistry(deps: RegistryDeps): EngineRegistry {
  return new EngineRegistry(deps);
}
