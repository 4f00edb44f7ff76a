/**
 * The remote OpenAI-compatible endpoint the learner configured on the Models page: URL, key
 * and model name, kept in the IndexedDB `settings` table (never in share links), and the list
 * of models the server offers.
 */
import { remoteModelId } from '../../lib/engine/registry';
import type { ModelInfo } from '../../lib/engine/types';
import type { SettingsTable } from './host';

import { readRemoteSettings, SETTING_REMOTE, type RemoteSettingsValue } from '../../lib/storage/settings';

export { SETTING_REMOTE };

/** URL, key and the server's model name chosen last. */
export type RemoteSettings = RemoteSettingsValue;

export class RemoteEndpoint {
  /** The saved endpoint, or null when none is configured. */
  settings = $state.raw<RemoteSettings | null>(null);
  /** The server's models (ids prefixed `remote:`), after `list()`. */
  models = $state.raw<ModelInfo[]>([]);

  constructor(private readonly table: SettingsTable) {}

  /** Reads the saved endpoint (call once at start-up). */
  async load(): Promise<void> {
    const row = await this.table.get(SETTING_REMOTE).catch(() => undefined);
    // parsed, not cast: a malformed stored value (old build, hand-edited backup) must not break the pages that read it
    this.settings = readRemoteSettings(row?.value);
  }

  /** Saves the endpoint (URL, key, model) in IndexedDB settings; null forgets it. */
  async save(s: RemoteSettings | null): Promise<void> {
    this.settings = s;
    this.models = [];
    if (s) await this.table.put({ key: SETTING_REMOTE, value: { ...s } });
    else await this.table.delete(SETTING_REMOTE);
  }

  /** Lists the server's models (throws a typed error: cors, unreachable, auth, timeout, aborted when `signal` fires, …). */
  async list(s: RemoteSettings = this.settings ?? { baseUrl: '', apiKey: '', model: '' }, signal?: AbortSignal): Promise<ModelInfo[]> {
    const { createRemoteEngine } = await import('../../lib/engine/remote');
    const models = await createRemoteEngine({ baseUrl: s.baseUrl, apiKey: s.apiKey || undefined }).listModels(signal);
    this.models = models.map((m) => ({ ...m, id: remoteModelId(m.id), displayName: `${m.id} (remote)` }));
    return this.models;
  }

  /** What the engine registry needs to reach the server, or null without an endpoint. */
  config(): { baseUrl: string; apiKey?: string } | null {
    return this.settings?.baseUrl ? { baseUrl: this.settings.baseUrl, apiKey: this.settings.apiKey || undefined } : null;
  }
}
