/**
 * What the model state needs from the page that creates it (the app, or a test): the settings
 * table, the detected capabilities, and where to report storage changes and failed saves. The
 * model state never imports the app shell; the app passes these in (src/app/models.svelte.ts).
 */
import type { Capabilities } from '../../lib/capabilities/detect';
import type { LabDB } from '../../lib/storage/db';

export type SettingsTable = LabDB['settings'];

export interface ModelsHost {
  settings: SettingsTable;
  /** Capabilities once detected (undefined before: engines then skip their checks). */
  capabilities(): Capabilities | undefined;
  /** A save to IndexedDB failed (quota, private mode). */
  onSaveError(e: unknown): void;
  /** A download or delete changed what the browser stores. */
  onStorageChanged(): void;
}
