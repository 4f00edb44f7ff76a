/**
 * The page side of `protocol.ts`: one client per worker, created by the lab or engine that owns
 * it (never at import). What every worker client of the lab gets from it:
 *
 * - lazy start: the worker starts on the first call, and again on the first call after it died;
 * - in-page fallback: where a worker can't start (no module workers), the same API runs here;
 * - per-call cancel: aborting a call's `signal` rejects it at once with LabError 'aborted' and
 *   aborts the worker's `ctx.signal` (or, with `cancel: 'terminate'`, stops the worker);
 * - progress: `onProgress` gets what the worker passes to `ctx.progress()`;
 * - errors as data: a LabError thrown in the worker arrives with its code and hint;
 * - death detection: an `error`/`messageerror` event, or the worker's lifeline lock being
 *   released (the worker died in any way), fails every pending call with 'worker-crashed'.
 */
import * as Comlink from 'comlink';
import { LabError, fromErrorData, toErrorData, type ErrorData } from '../errors';
import { LIFELINE_PREFIX, takeTransfers, type ArgsOf, type CallContext, type HostApi, type MethodName, type ProgressOf, type Result, type ReturnOf } from './protocol';

/** The Worker surface the client uses (tests pass MessageChannel fakes). */
export interface WorkerLike {
  addEventListener(type: string, listener: (ev: Event) => void): void;
  removeEventListener(type: string, listener: (ev: Event) => void): void;
  postMessage(message: unknown, transfer?: Transferable[]): void;
  terminate(): void;
}

export interface WorkerClientOptions<A> {
  /** The worker's name in messages ("RAG", "TinyLM"). */
  label: string;
  /**
   * Starts the worker. Pass `name` on: `(name) => new Worker(new URL('…', import.meta.url),
   * { type: 'module', name })` (the URL must be written out at the call site for the bundler).
   */
  start: (name: string) => WorkerLike;
  /** The same API on this thread, used where a worker can't start. Omit to fail instead. */
  inPage?: () => A | Promise<A>;
  /** Runs on every fresh worker before its first call (e.g. give it back the state the last one had). */
  onStart?: (call: CallFn<A>) => Promise<void>;
  /** Rebuilds an error from data (default `fromErrorData`; engines rebuild `EngineError`s). */
  rebuildError?: (data: ErrorData) => Error;
  /** The error name crash/cancel errors carry (default 'LabError'). */
  errorName?: string;
}

export interface CallOptions<P> {
  /** Aborting it cancels this call (the promise rejects at once with LabError 'aborted'). */
  signal?: AbortSignal;
  /** Gets each `ctx.progress(value)`; a returned promise holds the worker until it settles. */
  onProgress?: (value: P) => void | Promise<void>;
  /** Buffers among the arguments to move to the worker instead of copying. */
  transfer?: Transferable[];
  /**
   * 'reject' (default): the call rejects at once and the worker sees `ctx.signal` aborted.
   * 'finish': the worker sees `ctx.signal` aborted and the call settles with what it returns
   * (an engine ends the reply with finish_reason 'abort'). 'terminate': the worker is stopped
   * (for one long synchronous loop that can't look at a signal); other calls in it fail as
   * cancelled too, and the next call starts a fresh worker (`onStart` restores its state).
   */
  cancel?: 'reject' | 'finish' | 'terminate';
}

/** A typed call: `call('prepare', [files, opts], { signal, onProgress })`. */
export type CallFn<A> = <M extends MethodName<A>>(method: M, args: ArgsOf<A[M]>, options?: CallOptions<ProgressOf<A[M]>>) => Promise<ReturnOf<A[M]>>;

export interface WorkerClient<A> {
  call: CallFn<A>;
  /** True while a worker (or the in-page API) is up. */
  readonly started: boolean;
  /** True once the client fell back to running on this thread. */
  readonly inPage: boolean;
  /** Stops the worker now; pending calls fail as cancelled; the next call starts a fresh one. */
  restart(): void;
  /** Stops the worker for good (until the next call). */
  dispose(): void;
}

interface Pending {
  reject(e: Error): void;
  onProgress?: (value: unknown) => void | Promise<void>;
}

interface Live<A> {
  worker: WorkerLike | null;
  remote: Comlink.Remote<HostApi> | null;
  impl: A | null;
  pending: Map<number, Pending>;
  /** in-page calls' controllers */
  controllers: Map<number, AbortController>;
  ready: Promise<void>;
  /** set once the worker answered `hello` (a worker that dies before is a start failure) */
  answered: boolean;
  dead: boolean;
  /** why it ended: the error pending calls got */
  endReason: Error | null;
  /** rejects when the worker dies */
  died: Promise<never>;
  kill: (e: Error) => void;
  /** stops waiting on the lifeline lock (before a deliberate terminate) */
  lifeline: AbortController;
}

let instances = 0;

/** A unique worker name that carries a lifeline lock (pass it as `new Worker(url, { name })`). */
export function lifelineName(label: string): string {
  return `${LIFELINE_PREFIX}${label}:${++instances}:${globalThis.crypto?.randomUUID?.() ?? Math.random()}`;
}

/**
 * Calls `onDeath` when the worker holding the lock `name` is gone (its lock is released however
 * it ended: crash, `close()`, killed). Abort `stop` first when terminating it on purpose.
 */
export function watchLifeline(name: string, stop: AbortSignal, onDeath: () => void): void {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  // Granted only once the worker's context is gone.
  locks?.request(name, { signal: stop }, () => onDeath()).catch(() => {});
}

/** Creates a lazily started client of one worker (see the file header for what it handles). */
export function createWorkerClient<A extends object>(options: WorkerClientOptions<A>): WorkerClient<A> {
  const rebuild = options.rebuildError ?? fromErrorData;
  const errorName = options.errorName ?? 'LabError';
  const labError = (code: 'aborted' | 'worker-crashed', message: string, hint?: string) =>
    rebuild({ name: errorName, code, message, hint });
  const cancelled = () => labError('aborted', 'Cancelled.');
  let live: Live<A> | null = null;
  let useInPage = false;
  let nextId = 1;

  function end(l: Live<A>, reason: Error, crashed: boolean): void {
    if (l.dead) return;
    l.dead = true;
    l.endReason = crashed ? reason : cancelled();
    if (live === l) live = null;
    l.lifeline.abort();
    for (const c of l.controllers.values()) c.abort(reason);
    if (l.remote) l.remote[Comlink.releaseProxy]();
    l.worker?.terminate();
    l.kill(reason);
    const pending = [...l.pending.values()];
    l.pending.clear();
    for (const p of pending) p.reject(crashed ? reason : cancelled());
  }

  function crash(l: Live<A>, detail: string): void {
    end(
      l,
      labError(
        'worker-crashed',
        `The ${options.label} worker stopped${detail ? `: ${detail}` : ''}.`,
        'Try again: a fresh worker starts automatically. If it keeps happening, reload the page (the browser may be short of memory).',
      ),
      true,
    );
  }

  function newLive(worker: WorkerLike | null, impl: A | null): Live<A> {
    let kill!: (e: Error) => void;
    const died = new Promise<never>((_, reject) => (kill = reject));
    died.catch(() => {});
    return {
      worker,
      remote: worker ? Comlink.wrap<HostApi>(worker as unknown as Comlink.Endpoint) : null,
      impl,
      pending: new Map(),
      controllers: new Map(),
      ready: Promise.resolve(),
      answered: !worker,
      dead: false,
      endReason: null,
      died,
      kill,
      lifeline: new AbortController(),
    };
  }

  function startWorker(): Live<A> {
    const worker = options.start(lifelineName(options.label));
    const l = newLive(worker, null);
    const onError = (ev: Event) => crash(l, (ev as ErrorEvent).message ?? '');
    worker.addEventListener('error', onError);
    worker.addEventListener('messageerror', () => crash(l, 'a message could not be read'));
    const sink = Comlink.proxy((id: number, value: unknown) => l.pending.get(id)?.onProgress?.(value));
    l.ready = (async () => {
      const hello = await Promise.race([l.remote!.hello(sink), l.died]);
      l.answered = true;
      if (hello.lifeline) watchLifeline(hello.lifeline, l.lifeline.signal, () => crash(l, ''));
      if (options.onStart) await Promise.race([options.onStart((m, a, o) => callOn(l, m, a, o)), l.died]);
    })();
    return l;
  }

  let inPageStarting: Promise<Live<A>> | null = null;
  /** The in-page API (one, however many calls ask at once). */
  function startInPage(): Promise<Live<A>> {
    useInPage = true;
    if (live && !live.dead && !live.worker) return Promise.resolve(live);
    inPageStarting ??= (async () => {
      try {
        const l = newLive(null, await options.inPage!());
        live = l;
        if (options.onStart) l.ready = options.onStart((m, a, o) => callOn(l, m, a, o));
        return l;
      } finally {
        inPageStarting = null;
      }
    })();
    return inPageStarting;
  }

  /** The running worker (started if needed), ready for calls. */
  async function ensure(): Promise<Live<A>> {
    let l: Live<A>;
    if (live && !live.dead) l = live;
    else if (useInPage) l = await startInPage();
    else {
      try {
        l = live = startWorker();
      } catch (e) {
        if (!options.inPage) throw labError('worker-crashed', `The ${options.label} worker could not start: ${toErrorData(e).message}`, 'This browser may not support module workers; try a current Chrome, Edge or Firefox.');
        return ensureReady(await startInPage());
      }
    }
    try {
      await l.ready;
      return l;
    } catch (e) {
      // A worker that never answered could not start here (e.g. no module workers): run in-page.
      if (!l.answered && options.inPage) {
        end(l, cancelled(), false);
        return ensureReady(await startInPage());
      }
      // A worker (or in-page API) whose start failed is discarded: the next call tries afresh.
      end(l, e as Error, false);
      throw e;
    }
  }

  async function ensureReady(l: Live<A>): Promise<Live<A>> {
    try {
      await l.ready;
      return l;
    } catch (e) {
      end(l, e as Error, false);
      throw e;
    }
  }

  function runInPage(l: Live<A>, id: number, method: string, args: unknown[], pending: Pending): Promise<Result<unknown>> {
    const ctl = new AbortController();
    l.controllers.set(id, ctl);
    const ctx: CallContext<unknown> = { signal: ctl.signal, progress: async (v) => void (await pending.onProgress?.(v)) };
    return (async (): Promise<Result<unknown>> => {
      try {
        const f = (l.impl as Record<string, unknown>)[method];
        if (typeof f !== 'function') throw new LabError('invalid-request', `The ${options.label} API has no method “${method}”.`);
        const padded = args.length < f.length - 1 ? [...args, ...new Array(f.length - 1 - args.length).fill(undefined)] : args;
        const value = await f.apply(l.impl, [...padded, ctx]);
        takeTransfers(value);
        return { ok: true, value };
      } catch (e) {
        return { ok: false, error: toErrorData(e) };
      } finally {
        l.controllers.delete(id);
      }
    })();
  }

  function callOn<T>(l: Live<A>, method: string, args: unknown[], opts: CallOptions<never> = {}): Promise<T> {
    const { signal } = opts;
    if (signal?.aborted && opts.cancel !== 'finish') return Promise.reject(cancelled());
    if (l.dead) return Promise.reject(l.endReason);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = () => {
        settled = true;
        l.pending.delete(id);
        signal?.removeEventListener('abort', onAbort);
      };
      const pending: Pending = {
        reject: (e) => {
          if (settled) return;
          settle();
          reject(e);
        },
        onProgress: opts.onProgress as Pending['onProgress'],
      };
      const onAbort = () => {
        if (settled) return;
        if (opts.cancel !== 'finish') pending.reject(cancelled());
        if (opts.cancel === 'terminate') end(l, cancelled(), false);
        else if (l.remote) void l.remote.cancel(id).catch(() => {});
        else l.controllers.get(id)?.abort(cancelled());
      };
      l.pending.set(id, pending);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) queueMicrotask(onAbort);
      const run = l.remote
        ? l.remote.call(id, method, opts.transfer ? Comlink.transfer(args, opts.transfer) : args)
        : runInPage(l, id, method, args, pending);
      run.then(
        (r) => {
          if (settled) return;
          settle();
          if (r.ok) resolve(r.value as T);
          else reject(rebuild(r.error));
        },
        (e) => pending.reject(rebuild(toErrorData(e))),
      );
    });
  }

  return {
    call: (async (method: string, args: unknown[], opts?: CallOptions<never>) => {
      if (opts?.signal?.aborted && opts.cancel !== 'finish') throw cancelled();
      const l = await ensure();
      return callOn(l, method, args, opts);
    }) as CallFn<A>,
    get started() {
      return live !== null && !live.dead;
    },
    get inPage() {
      return useInPage;
    },
    restart() {
      if (live) end(live, cancelled(), false);
    },
    dispose() {
      if (live) end(live, cancelled(), false);
    },
  };
}
