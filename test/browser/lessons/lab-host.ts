/** A fake lab host for component tests: records status and completed tasks. */
import { emptyCapabilities, type Capabilities } from '../../../src/lib/capabilities/detect';
import type { LabContext, LabStatus } from '../../../src/labs/types';

export interface FakeHost {
  ctx: LabContext;
  status: () => LabStatus;
  completed: Array<{ taskId: string; evidence?: Record<string, unknown> }>;
  errors: string[];
}

/** A context whose calls are recorded; `caps` overrides detected capabilities. */
export function fakeHost(caps: Partial<Capabilities> = {}): FakeHost {
  let status: LabStatus = 'loading';
  const completed: FakeHost['completed'] = [];
  const errors: string[] = [];
  return {
    ctx: {
      async complete(taskId, evidence) {
        completed.push({ taskId, evidence });
      },
      setStatus(s, message) {
        status = s;
        if (s === 'error') errors.push(message ?? '');
      },
      capabilities: { ...emptyCapabilities(), ...caps },
    },
    status: () => status,
    completed,
    errors,
  };
}

/** Polls until `fn` returns truthy (or throws after `ms`). */
export async function until<T>(fn: () => T, ms = 20_000, what = 'condition'): Promise<NonNullable<T>> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
