/** Test worker: serves a tiny API; `die()` ends the worker mid-call with `close()` (no error event). */
import { serve } from '../../../src/lib/rpc/serve';

serve({
  async echo(x: string) {
    return x;
  },
  async die() {
    setTimeout(() => self.close(), 20);
    return new Promise<never>(() => {});
  },
  async hang() {
    return new Promise<never>(() => {});
  },
});
