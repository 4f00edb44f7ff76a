/**
 * The model state (src/ui/models/, created as src/app/models.svelte.ts does) over the registry, in Node with
 * fake-indexeddb: the choice and the remote endpoint persist in the settings table, concurrent
 * callers share one load, and without a TinyLM model the labelled test double is offered.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { AppState } from '../../../src/app/app.svelte';
import { modelsHost } from '../../../src/app/models.svelte';
import { Models as ModelState, SETTING_CURRENT } from '../../../src/ui/models/models.svelte';
import { SETTING_REMOTE } from '../../../src/ui/models/remote.svelte';

import { TEST_DOUBLE_ID } from '../../../src/lib/engine/registry';
import { openLabDB } from '../../../src/lib/storage/db';
import { startTestServer } from './remote-server';

/** The model state as the app creates it (no test doubles: in Node there is no Worker, so TinyLM fails). */
class Models extends ModelState {
  constructor(app: AppState) {
    super(modelsHost(app));
  }
}

const fresh = () => new AppState(openLabDB(`models-${Math.random()}`));

describe('Models state', () => {
  it('falls back to the labelled test double when no TinyLM model can start (no Worker in Node)', async () => {
    const app = fresh();
    const models = new Models(app);
    await models.init();
    const { engine, modelId } = await models.get();
    expect(modelId).toBe(TEST_DOUBLE_ID);
    expect(engine.kind).toBe('test-double');
    expect(models.status).toBe('ready');
    expect(models.label).toMatch(/Test double/);
    expect(models.tiny).toBe(true);
  });

  it('shares one load between concurrent callers', async () => {
    const models = new Models(fresh());
    await models.init();
    await models.ensureBuiltins();
    const [a, b] = await Promise.all([models.get(), models.get()]);
    expect(a.engine).toBe(b.engine);
  });

  it('persists the chosen model and the remote endpoint (key in IndexedDB settings)', async () => {
    const server = await startTestServer({ apiKey: 'sk-1' });
    try {
      const app = fresh();
      const models = new Models(app);
      await models.init();
      await models.endpoint.save({ baseUrl: server.baseUrl, apiKey: 'sk-1', model: 'tiny-chat' });
      const listed = await models.endpoint.list();
      expect(listed.map((m) => m.id)).toEqual(['remote:tiny-chat', 'remote:tiny-embed']);
      await models.select('remote:tiny-chat');
      expect(models.status).toBe('ready');
      expect((await app.db.settings.get(SETTING_CURRENT))?.value).toBe('remote:tiny-chat');
      expect((await app.db.settings.get(SETTING_REMOTE))?.value).toMatchObject({ apiKey: 'sk-1' });
      const { engine } = await models.get();
      const r = await engine.chat.completions.create({ messages: [{ role: 'user', content: 'x' }] });
      expect(r.choices[0]!.message.content).toBe('Hello, world!');
      expect(models.constrained).toBe(false);

      // A new session reads both back.
      const again = new Models(app);
      await again.init();
      expect(again.currentId).toBe('remote:tiny-chat');
      expect(again.endpoint.settings?.baseUrl).toBe(server.baseUrl);
    } finally {
      await server.close();
    }
  });

  it('reports a failed load as a typed error in `error`', async () => {
    const models = new Models(fresh());
    await models.init();
    await models.endpoint.save({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: '', model: 'x' });
    await models.select('remote:x');
    // Remote engines load nothing up front; the failure shows on the first request.
    const { engine } = await models.get();
    await expect(engine.chat.completions.create({ messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ code: 'unreachable' });
    await expect(models.select('gpt-4o')).rejects.toMatchObject({ code: 'model-not-found' });
  });
});
