/**
 * The app's edge for model state: creates it once (in App.svelte) from the app's database and
 * capabilities, picks the test doubles when the test flag is set, and provides both the model
 * state (`useModels()`, src/ui/models/context.ts) and the engine source labs and the Chat page
 * use (`useEngineSource()`, src/ui/chat/engine-access.ts).
 *
 * With the test flag (localStorage `llm-lab:test-engines` = "1") the test double is offered and
 * web-llm is replaced by its deterministic double (src/app/test-mode.ts, loaded only then).
 */
import { explainError } from '../lib/errors';
import type { AppState } from './app.svelte';
import { Models, type ModelsOptions } from '../ui/models/models.svelte';
import { provideModels } from '../ui/models/context';
import type { ModelsHost } from '../ui/models/host';
import type { WebLLMCacheBackend } from '../ui/models/webllm.svelte';
import { engineSourceFromModels, provideEngineSource } from '../ui/chat/engine-access';

export const TEST_FLAG = 'llm-lab:test-engines';

function testMode(): boolean {
  try {
    return globalThis.localStorage?.getItem(TEST_FLAG) === '1';
  } catch {
    return false;
  }
}

/** What the model state needs from the app. */
export function modelsHost(app: AppState): ModelsHost {
  return {
    settings: app.db.settings,
    capabilities: () => (app.capabilitiesReady ? app.capabilities : undefined),
    onSaveError: (e) => app.reportStorageError(e),
    onStorageChanged: () => void app.refreshStorage().catch(() => {}),
  };
}

/** The test doubles when the test flag is set (loaded on demand), else nothing. */
export function modelsOptions(): ModelsOptions {
  if (!testMode()) return {};
  const doubles = () => import('./test-mode');
  const webllmCache: WebLLMCacheBackend = {
    inspect: async (entries) => (await doubles()).fakeCacheBackend.inspect(entries),
    delete: async (entry, still) => (await doubles()).fakeCacheBackend.delete(entry, still),
  };
  return { testDouble: true, createWebLLM: async () => (await doubles()).fakeWebLLM(), webllmCache };
}

/** Creates the model state and provides it (and the engine source) to the tree (once, in App.svelte). */
export function createModels(app: AppState): Models {
  const models = new Models(modelsHost(app), modelsOptions());
  void models.init().catch((e) => app.notify('error', `Could not read model settings: ${explainError(e)}`));
  provideModels(models);
  provideEngineSource(engineSourceFromModels(models));
  return models;
}
