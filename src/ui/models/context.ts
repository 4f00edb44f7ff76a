/**
 * The model state through Svelte context: the app provides it once (src/app/models.svelte.ts);
 * the model picker and the model pages read it. Labs use `ctx.engine` instead.
 */
import { getContext, setContext } from 'svelte';
import type { Models } from './models.svelte';

const KEY = Symbol('models');

/** Provides the model state to the component tree below (call during component initialisation). */
export function provideModels(models: Models): Models {
  return setContext(KEY, models);
}

/** The model state provided by the app (throws outside it). */
export function useModels(): Models {
  const m = getContext<Models | undefined>(KEY);
  if (!m) throw new Error('useModels() called outside the app (provideModels() was not called)');
  return m;
}

/** Like useModels(), but null outside the app (isolated component tests). */
export function maybeModels(): Models | null {
  return getContext<Models | undefined>(KEY) ?? null;
}
