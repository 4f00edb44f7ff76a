/**
 * A fake Worker for Node tests: a MessageChannel whose far end serves an API through the real
 * `serve()` host (the same code path as a Web Worker, minus the thread). `crash()` fires the
 * `error` event a dying worker fires; `terminated` tells whether the client stopped it.
 */
import type { Endpoint } from 'comlink';
import type { WorkerLike } from '../../../src/lib/rpc/client';
import { serve } from '../../../src/lib/rpc/serve';

export interface ChannelWorker extends WorkerLike {
  crash(message: string): void;
  terminated: boolean;
}

/** A fake worker serving `impl`. */
export function channelWorker(impl: object): ChannelWorker {
  const { port1, port2 } = new MessageChannel();
  serve(impl, port1 as unknown as Endpoint);
  const errorListeners: Array<(ev: Event) => void> = [];
  const w: ChannelWorker & { start(): void } = {
    terminated: false,
    postMessage: (m: unknown, t?: Transferable[]) => port2.postMessage(m, t ?? []),
    addEventListener(type: string, l: (ev: Event) => void) {
      if (type === 'error' || type === 'messageerror') errorListeners.push(l);
      else port2.addEventListener(type, l as EventListener);
    },
    removeEventListener: (type: string, l: (ev: Event) => void) => port2.removeEventListener(type, l as EventListener),
    start: () => port2.start(),
    terminate() {
      w.terminated = true;
      port1.close();
      port2.close();
    },
    crash(message: string) {
      for (const l of errorListeners) l(Object.assign(new Event('error'), { message }));
    },
  };
  return w;
}
