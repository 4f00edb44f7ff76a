/** Per-request abort controllers, so `engine.interrupt()` and `req.signal` stop the same work. */
export class InFlight {
  private readonly controllers = new Set<AbortController>();

  /** A controller for one request, aborted by `interrupt()` or by the request's own signal. */
  begin(signal?: AbortSignal): { signal: AbortSignal; end: () => void } {
    const c = new AbortController();
    const onAbort = () => c.abort();
    if (signal?.aborted) c.abort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    this.controllers.add(c);
    return {
      signal: c.signal,
      end: () => {
        signal?.removeEventListener('abort', onAbort);
        this.controllers.delete(c);
      },
    };
  }

  /** Aborts every request in flight. */
  interruptAll(): void {
    for (const c of this.controllers) c.abort();
  }

  get size(): number {
    return this.controllers.size;
  }
}

/** Wraps a stream so `end()` runs when it finishes, fails, or the consumer stops early. */
export async function* finallyStream<T>(stream: AsyncIterable<T>, end: () => void): AsyncGenerator<T> {
  try {
    yield* stream;
  } finally {
    end();
  }
}
