/**
 * The worker side of `protocol.ts`: a worker entry file is `serve(createXApi())` and nothing
 * more. The same API object is what the page runs in-thread when workers are unavailable.
 */
import * as Comlink from 'comlink';
import { LabError, toErrorData } from '../errors';
import { LIFELINE_PREFIX, takeTransfers, type CallContext, type HostApi, type Result } from './protocol';

/** Resolves once this worker holds the lock the page watches (null where there is none). */
export function holdLifeline(): Promise<string | null> {
  const name = (globalThis as { name?: unknown }).name;
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  if (typeof name !== 'string' || !name.startsWith(LIFELINE_PREFIX) || !locks) return Promise.resolve(null);
  return new Promise((held) => {
    // Held until this worker's context ends, however it ends.
    void locks.request(name, () => {
      held(name);
      return new Promise<never>(() => {});
    });
  });
}

/** The host object (exported for tests that serve an API over a MessageChannel). */
export function createHost(impl: object): HostApi {
  const controllers = new Map<number, AbortController>();
  let sink: ((id: number, value: unknown) => unknown) | null = null;
  let lifeline: Promise<string | null> | null = null;
  return {
    async hello(s) {
      sink = s;
      lifeline ??= holdLifeline();
      return { lifeline: await lifeline };
    },
    async call(id, method, args): Promise<Result<unknown>> {
      const ctl = new AbortController();
      controllers.set(id, ctl);
      try {
        const f = (impl as Record<string, unknown>)[method];
        if (typeof f !== 'function') throw new LabError('invalid-request', `This worker has no method “${method}”.`);
        // Progress travels on the sink's own port: the result waits for every delivery, so the
        // page never sees a call's progress after its result.
        const deliveries = new Set<Promise<unknown>>();
        const ctx: CallContext<unknown> = {
          signal: ctl.signal,
          progress: (value) => {
            if (!sink) return Promise.resolve();
            const p = Promise.resolve(sink(id, value)).then(() => {}, () => {});
            deliveries.add(p);
            void p.then(() => deliveries.delete(p));
            return p;
          },
        };
        // The context goes after the declared parameters, even when the caller left optional ones out.
        const padded = args.length < f.length - 1 ? [...args, ...new Array(f.length - 1 - args.length).fill(undefined)] : args;
        const value = await f.apply(impl, [...padded, ctx]);
        await Promise.all(deliveries);
        return Comlink.transfer({ ok: true, value }, takeTransfers(value));
      } catch (e) {
        return { ok: false, error: toErrorData(e) };
      } finally {
        controllers.delete(id);
      }
    },
    cancel(id) {
      controllers.get(id)?.abort(new LabError('aborted', 'Cancelled.'));
    },
  };
}

/** Exposes `impl` to the page (the whole body of a worker entry file). */
export function serve(impl: object, endpoint?: Comlink.Endpoint): void {
  Comlink.expose(createHost(impl), endpoint);
}
