/**
 * App-side client of workers/rag.worker.ts. The worker is created on first use (never at
 * import), every request gets an id so it can be cancelled, and `dispose()` ends the worker.
 */
import * as Comlink from 'comlink';
import type { RagWorkerApi } from '../../lib/rag/worker-api';

export interface Pending<T> {
  promise: Promise<T>;
  cancel(): void;
}

export class RagWorkerClient {
  #worker: Worker | null = null;
  #api: Comlink.Remote<RagWorkerApi> | null = null;
  #next = 1;

  get #remote(): Comlink.Remote<RagWorkerApi> {
    if (!this.#api) {
      this.#worker = new Worker(new URL('../../../workers/rag.worker.ts', import.meta.url), { type: 'module', name: 'rag' });
      this.#api = Comlink.wrap<RagWorkerApi>(this.#worker);
    }
    return this.#api;
  }

  /** Starts a request; `cancel()` asks the worker to stop it at its next checkpoint. */
  request<T>(run: (api: Comlink.Remote<RagWorkerApi>, id: number) => Promise<T>): Pending<T> {
    const id = this.#next++;
    const api = this.#remote;
    return { promise: run(api, id), cancel: () => void api.cancel(id) };
  }

  /** Wraps a callback so the worker can call it. */
  static callback<F extends (...args: never[]) => unknown>(fn: F): F {
    return Comlink.proxy(fn) as unknown as F;
  }

  /** Marks buffers to be moved (not copied) to the worker with `value`. */
  static transfer<T>(value: T, buffers: ArrayBuffer[]): T {
    return Comlink.transfer(value, buffers);
  }

  dispose(): void {
    this.#api?.[Comlink.releaseProxy]();
    this.#worker?.terminate();
    this.#worker = null;
    this.#api = null;
  }
}
