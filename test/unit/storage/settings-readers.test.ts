/** Readers of stored settings parse, not cast: a malformed value must not break the Models page (`e.trim is not a function`). */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { AppState } from '../../../src/app/app.svelte';
import { modelsHost } from '../../../src/app/models.svelte';
import { Models } from '../../../src/ui/models/models.svelte';
import { SETTING_REMOTE } from '../../../src/lib/storage/settings';
import { openLabDB } from '../../../src/lib/storage/db';

describe('stored settings with a wrong shape', () => {
  for (const value of [{ baseUrl: 5 }, 'http://x', null, { baseUrl: 'http://x', apiKey: [], model: 'm' }]) {
    it(`models.endpoint.settings = ${JSON.stringify(value)} reads as "no remote endpoint"`, async () => {
      const app = new AppState(openLabDB(`settings-${Math.random()}`));
      await app.db.settings.put({ key: SETTING_REMOTE, value });
      const models = new Models(modelsHost(app));
      await models.init();
      expect(models.endpoint.settings).toBeNull();
      // what the Models page does with it
      expect(() => (models.endpoint.settings?.baseUrl ?? '').trim()).not.toThrow();
    });
  }
  it('a well-formed value is read back', async () => {
    const app = new AppState(openLabDB(`settings-${Math.random()}`));
    await app.db.settings.put({ key: SETTING_REMOTE, value: { baseUrl: 'http://127.0.0.1:1/v1', apiKey: 'k', model: 'm' } });
    const models = new Models(modelsHost(app));
    await models.init();
    expect(models.endpoint.settings).toEqual({ baseUrl: 'http://127.0.0.1:1/v1', apiKey: 'k', model: 'm' });
  });
});
