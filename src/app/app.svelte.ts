/**
 * App-wide state, provided through Svelte context: the database, capabilities detected once at
 * start-up, task progress, and notices. Created once in App.svelte (no module-level state).
 */
import { getContext, setContext } from 'svelte';
import { SvelteMap } from 'svelte/reactivity';
import { openLabDB, type LabDB, type ProgressRow } from '../lib/storage/db';
import { progressStore } from '../lib/storage/progress';
import { isTaskId } from '../curriculum/plan';
import { detectCapabilities, detectStorage, emptyCapabilities, type Capabilities } from '../lib/capabilities/detect';
import { storageError } from '../lib/storage/errors';
import { explainError } from '../lib/errors';

const { completeTask, loadProgress, setTaskManually } = progressStore(isTaskId);

export interface Notice {
  id: number;
  kind: 'info' | 'warn' | 'error';
  text: string;
}

export class AppState {
  readonly db: LabDB;
  capabilities = $state<Capabilities>(emptyCapabilities());
  capabilitiesReady = $state(false);
  readonly progress = new SvelteMap<string, ProgressRow>();
  progressReady = $state(false);
  notices = $state<Notice[]>([]);
  #nextNotice = 1;

  constructor(db: LabDB = openLabDB()) {
    this.db = db;
  }

  /** Loads progress and detects capabilities; call once. */
  async init(): Promise<void> {
    const progress = loadProgress(this.db)
      .then((p) => {
        for (const [k, v] of p) this.progress.set(k, v);
      })
      .catch((e) => this.notify('error', explainError(storageError(e, 'Reading your saved progress'))))
      .finally(() => (this.progressReady = true));
    const caps = detectCapabilities()
      .then((c) => (this.capabilities = c))
      .finally(() => (this.capabilitiesReady = true));
    await Promise.all([progress, caps]);
  }

  /** Re-reads storage usage (after downloads, deletes, persistence requests). */
  async refreshStorage(): Promise<void> {
    this.capabilities = { ...this.capabilities, storage: await detectStorage(navigator) };
  }

  isDone(taskId: string): boolean {
    return this.progress.get(taskId)?.done ?? false;
  }

  async toggleTask(taskId: string, done: boolean): Promise<void> {
    try {
      this.progress.set(taskId, await setTaskManually(this.db, taskId, done));
    } catch (e) {
      this.reportStorageError(e);
    }
  }

  async completeTask(taskId: string, source: string, evidence?: Record<string, unknown>): Promise<void> {
    if (this.isDone(taskId) && this.progress.get(taskId)?.source !== 'manual') return;
    try {
      this.progress.set(taskId, await completeTask(this.db, taskId, source, evidence));
    } catch (e) {
      this.reportStorageError(e);
    }
  }

  notify(kind: Notice['kind'], text: string): number {
    const id = this.#nextNotice++;
    this.notices = [...this.notices, { id, kind, text }];
    return id;
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  reportStorageError(e: unknown): void {
    this.notify('error', explainError(storageError(e)));
  }
}

const KEY = Symbol('app');

/** Creates the app state and provides it to the component tree. */
export function createApp(db?: LabDB): AppState {
  return setContext(KEY, new AppState(db));
}

/** The app state provided by App.svelte. */
export function useApp(): AppState {
  const app = getContext<AppState | undefined>(KEY);
  if (!app) throw new Error('useApp() called outside the app');
  return app;
}
