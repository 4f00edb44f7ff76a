/**
 * A LabContext made of test doubles, so any lab can be mounted in a browser test without the
 * app: calls are recorded, the engine is the deterministic test double, storage is a fresh
 * IndexedDB database (opened on first use), traces are recorded.
 *
 *   const ctx = createTestLabContext({ capabilities: { webgpu: false } });
 *   render(MyLab, { props: { state: meta.defaults(), ctx }, context: labTestContext(ctx) });
 *   await until(() => ctx.status === 'ready');
 *   expect(ctx.completed).toContainEqual({ taskId: '1.1.a', evidence: { … } });
 *
 * `labTestContext(ctx)` makes `useEngineSource()` inside the lab return `ctx.engine`, as LabHost
 * does in the app. Test-only: nothing in the app imports this module.
 */
import { emptyCapabilities, type Capabilities } from '../lib/capabilities/detect';
import { openLabDB, type LabDB } from '../lib/storage/db';
import { recordingTrace, type RecordedSpan } from '../lib/trace';
import { createTestEngineSource, engineSourceContext } from '../ui/chat/engine-access';
import type { LabContext, LabStatus, LabStorage, NoticeKind } from './types';

export interface TestLabContext extends LabContext {
  /** The last status the lab set. */
  readonly status: LabStatus;
  /** Every setStatus('error', …) message, in order. */
  readonly errors: Array<string | Error>;
  /** Every complete() call, in order. */
  readonly completed: Array<{ taskId: string; evidence?: Record<string, unknown> }>;
  /** Every notify() call, in order. */
  readonly notices: Array<{ message: string; kind: NoticeKind }>;
  /** Finished trace spans. */
  readonly spans: RecordedSpan[];
}

export interface TestLabContextOverrides extends Partial<Omit<LabContext, 'capabilities' | 'storage'>> {
  /** Merged over `emptyCapabilities()` (e.g. `{ webgpu: true }`). */
  capabilities?: Partial<Capabilities>;
  /** A database to use instead of a fresh one (e.g. with fake-indexeddb). */
  db?: LabDB;
}

/** A recording LabContext of test doubles; any member can be replaced through `overrides`. */
export function createTestLabContext(overrides: TestLabContextOverrides = {}): TestLabContext {
  const { capabilities, db: givenDb, ...rest } = overrides;
  let status: LabStatus = 'loading';
  const errors: Array<string | Error> = [];
  const completed: TestLabContext['completed'] = [];
  const notices: TestLabContext['notices'] = [];
  const trace = recordingTrace();
  let db = givenDb ?? null;
  const storage: LabStorage = {
    get db() {
      db ??= openLabDB(`lab-test-${Math.random().toString(36).slice(2)}`);
      return db;
    },
  };
  const ctx: TestLabContext = {
    async complete(taskId, evidence) {
      completed.push({ taskId, evidence });
    },
    setStatus(s, message) {
      status = s;
      if (s === 'error') errors.push(message ?? '');
    },
    capabilities: { ...emptyCapabilities(), ...capabilities },
    storage,
    engine: createTestEngineSource(),
    notify(message, kind = 'info') {
      notices.push({ message, kind });
    },
    trace,
    get status() {
      return status;
    },
    errors,
    completed,
    notices,
    spans: trace.spans,
  };
  // Overrides replace members but keep the recording getters working.
  for (const [k, v] of Object.entries(rest)) if (v !== undefined) Object.defineProperty(ctx, k, { value: v, enumerable: true });
  return ctx;
}

/** The Svelte context a lab sees under LabHost (so `useEngineSource()` is `ctx.engine`). */
export function labTestContext(ctx: LabContext): Map<unknown, unknown> {
  return engineSourceContext(ctx.engine);
}
