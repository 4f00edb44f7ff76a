/**
 * The known keys of the `settings` table and the shape of each value. Used twice: a backup's
 * settings rows are validated against them before import, and readers parse what they read
 * (a value written by an older build or a hand-edited backup must not crash a page).
 */
import * as v from 'valibot';

/** The model chosen last (a model id). */
export const SETTING_CURRENT_MODEL = 'models.current';
/** The remote OpenAI-compatible endpoint (URL, key, model name). */
export const SETTING_REMOTE = 'models.remote';

const remoteSchema = v.object({
  baseUrl: v.pipe(v.string(), v.maxLength(2048)),
  apiKey: v.pipe(v.string(), v.maxLength(4096)),
  model: v.pipe(v.string(), v.maxLength(512)),
});
export type RemoteSettingsValue = v.InferOutput<typeof remoteSchema>;

/** Value schema per known key; other keys are kept as they are (a newer build may have written them). */
export const SETTING_SCHEMAS: Record<string, v.GenericSchema> = {
  [SETTING_CURRENT_MODEL]: v.pipe(v.string(), v.maxLength(512)),
  [SETTING_REMOTE]: remoteSchema,
};

/** The remote endpoint settings in a stored value, or null when absent or malformed. */
export function readRemoteSettings(value: unknown): RemoteSettingsValue | null {
  const r = v.safeParse(remoteSchema, value);
  return r.success ? r.output : null;
}
