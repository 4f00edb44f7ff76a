/**
 * Where the chat playground and the prompting labs get their engine: the app-wide model state
 * (`useModels()`, the model chosen in the model picker), or — in isolated component tests and
 * pages rendered outside the app — the deterministic test double, labelled as such.
 */
import { maybeModels } from '../../app/models.svelte';
import { createTestDoubleEngine } from '../../lib/engine/test-double';
import type { ChatEngine } from '../../lib/engine/types';

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
  /** Whether the app's model state (and so the model picker) is available. */
  readonly hasPicker: boolean;
}

/** The engine source for a component (call during component initialisation). */
export function useEngineSource(): EngineSource {
  const models = maybeModels();
  if (models) {
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
    };
  }
  let engine: ChatEngine | null = null;
  return {
    async get() {
      engine ??= createTestDoubleEngine();
      return { engine, modelId: 'test-double' };
    },
    label: 'Test double (deterministic, no model)',
    tiny: true,
    constrained: true,
    contextWindow: 4096,
    currentId: 'test-double',
    hasPicker: false,
  };
}
