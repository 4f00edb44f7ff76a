/**
 * The one declaration of how the page talks to any worker of the lab (both sides import it).
 *
 * - A worker serves a plain object of async methods (its API, declared once as a TypeScript
 *   type in `src/lib/<area>`). The same object runs on the page when workers are unavailable.
 * - Every call has its own id. Its last parameter may be a `CallContext`: an AbortSignal the page
 *   aborts to cancel just that call, and `progress()` to report to the page (awaiting it gives
 *   backpressure: the worker never runs ahead of the page).
 * - Results and errors cross as data (`{ ok, value }` / `{ ok: false, error: ErrorData }`), so a
 *   LabError's code survives the boundary.
 * - The worker holds a Web Lock named after itself for as long as it lives; the page waits on the
 *   same lock, so a worker that dies in any way (crash, `close()`, killed) is noticed at once.
 */
import { fromErrorData, toErrorData, type ErrorData } from '../errors';

/** What a served method gets as its last argument. */
export interface CallContext<P = never> {
  /** Aborted when the page cancels this call (check it between steps of long work). */
  readonly signal: AbortSignal;
  /** Reports progress to the page; resolves once the page has handled it. */
  progress(value: P): Promise<void>;
}

/** A call's outcome as it crosses the boundary. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorData };

/** Runs `f` and returns its outcome as data (for APIs whose results are Results themselves). */
export async function settle<T>(f: () => T | Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await f() };
  } catch (e) {
    return { ok: false, error: toErrorData(e) };
  }
}

/** The value of a Result, or its error rebuilt and thrown (a LabError keeps its code). */
export function unwrapResult<T>(r: Result<T>): T {
  if (!r.ok) throw fromErrorData(r.error);
  return r.value;
}

/** What `serve()` exposes on the worker side (through comlink). */
export interface HostApi {
  /** First message: installs the progress sink; resolves once the worker holds its lifeline lock. */
  hello(sink: (id: number, value: unknown) => unknown): Promise<{ lifeline: string | null }>;
  /** Runs `impl[method](...args, ctx)`. */
  call(id: number, method: string, args: unknown[]): Promise<Result<unknown>>;
  /** Aborts the call's signal. */
  cancel(id: number): void;
}

/** Worker names carrying a lifeline lock start with this. */
export const LIFELINE_PREFIX = 'llm-lab-worker:';

// The typing that lets `client.call('method', [args], …)` check its arguments against the API.

/** Any object of methods (what a worker serves). */
export type Api = object;
type Fn = (...args: never[]) => unknown;
/** Method names of an API. */
export type MethodName<A> = { [K in keyof A]: A[K] extends Fn ? K : never }[keyof A] & string;
/** A method's parameters without its trailing CallContext. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ArgsOf<F> = F extends (...a: infer P) => unknown ? (P extends [...infer H, CallContext<any>] ? H : P) : never;
/** What a method reports through `ctx.progress`. */
export type ProgressOf<F> = F extends (...a: infer P) => unknown ? (P extends [...unknown[], CallContext<infer Q>] ? Q : never) : never;
/** What a method resolves to. */
export type ReturnOf<F> = F extends (...a: never[]) => infer R ? Awaited<R> : never;

const transfers = new WeakMap<object, Transferable[]>();

/**
 * Marks `value` (returned by a served method, or passed as an argument) to move these buffers
 * instead of copying them. On the page (in-page fallback) it changes nothing.
 */
export function transfer<T>(value: T, list: Transferable[]): T {
  if (typeof value === 'object' && value !== null) transfers.set(value, list);
  return value;
}

/** The buffers `transfer()` recorded for a value (and forgets them). */
export function takeTransfers(value: unknown): Transferable[] {
  if (typeof value !== 'object' || value === null) return [];
  const list = transfers.get(value) ?? [];
  transfers.delete(value);
  return list;
}
