/**
 * Where the chat playground and the prompting labs get their engine from.
 *
 * TEMPORARY: until the app-wide model manager (`useModels()` in src/app/models.svelte.ts) lands,
 * this hands out the deterministic test double, honestly labelled as "no model".
 */
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
}

let fallback: ChatEngine | null = null;

/** The engine source for a component (call during component init). */
export function useEngineSource(): EngineSource {
  return {
    async get() {
      fallback ??= createTestDoubleEngine({ tokensPerSecond: 60 });
      return { engine: fallback, modelId: 'test-double' };
    },
    label: 'Test double (no model yet)',
    tiny: true,
    constrained: true,
  };
}
