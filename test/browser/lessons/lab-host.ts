/** A fake lab host for component tests: records status and completed tasks. */
import type { Capabilities } from '../../../src/lib/capabilities/detect';
import type { LabContext, LabStatus } from '../../../src/labs/types';
import { createTestLabContext } from '../../../src/labs/test-context';

export interface FakeHost {
  ctx: LabContext;
  status: () => LabStatus;
  completed: Array<{ taskId: string; evidence?: Record<string, unknown> }>;
  errors: string[];
}

/** A context whose calls are recorded (createTestLabContext); `caps` overrides detected capabilities. */
export function fakeHost(caps: Partial<Capabilities> = {}): FakeHost {
  const ctx = createTestLabContext({ capabilities: caps });
  const errors: string[] = [];
  const setStatus = ctx.setStatus.bind(ctx);
  ctx.setStatus = (s, message) => {
    setStatus(s, message);
    if (s === 'error') errors.push(message instanceof Error ? message.message : (message ?? ''));
  };
  return { ctx, status: () => ctx.status, completed: ctx.completed, errors };
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
