/** The one worker client (src/lib/rpc), in Node, against the real `serve()` host over a MessageChannel. */
import { describe, expect, it } from 'vitest';
import { LabError } from '../../../src/lib/errors';
import { createWorkerClient, type WorkerLike } from '../../../src/lib/rpc/client';
import type { CallContext } from '../../../src/lib/rpc/protocol';
import { channelWorker, type ChannelWorker } from './channel-worker';

/** A small API with the shapes real workers have: plain, progress, cancellable, failing. */
function createDemoApi() {
  let held = '';
  return {
    async add(a: number, b: number) {
      return a + b;
    },
    async count(n: number, ctx: CallContext<number>) {
      for (let i = 1; i <= n; i++) await ctx.progress(i);
      return n;
    },
    /** Runs until cancelled, checking the signal between steps. */
    async spin(ctx: CallContext<never>) {
      while (!ctx.signal.aborted) await new Promise((r) => setTimeout(r, 1));
      return 'stopped';
    },
    async fail() {
      throw new LabError('empty', 'Nothing in it.', 'Choose another file.');
    },
    async hold(s: string) {
      held = s;
    },
    async held() {
      return held;
    },
  };
}
type DemoApi = ReturnType<typeof createDemoApi>;

function setup(opts: { inPage?: boolean; startThrows?: boolean } = {}) {
  const workers: ChannelWorker[] = [];
  const client = createWorkerClient<DemoApi>({
    label: 'Demo',
    start: () => {
      if (opts.startThrows) throw new Error('no module workers');
      const w = channelWorker(createDemoApi());
      workers.push(w);
      return w;
    },
    inPage: opts.inPage ? createDemoApi : undefined,
  });
  return { client, workers };
}

describe('worker client', () => {
  it('starts lazily, returns values, and rebuilds a LabError with its code and hint', async () => {
    const { client, workers } = setup();
    expect(workers).toHaveLength(0);
    expect(await client.call('add', [2, 3])).toBe(5);
    expect(workers).toHaveLength(1);
    const err = await client.call('fail', []).catch((e) => e);
    expect(err).toBeInstanceOf(LabError);
    expect(err).toMatchObject({ code: 'empty', message: 'Nothing in it.', hint: 'Choose another file.' });
    client.dispose();
  });

  it('delivers progress in order, and the worker waits for each delivery', async () => {
    const { client } = setup();
    const seen: number[] = [];
    let inFlight = 0;
    const n = await client.call('count', [5], {
      onProgress: async (i) => {
        expect(inFlight).toBe(0);
        inFlight++;
        await new Promise((r) => setTimeout(r, 2));
        seen.push(i);
        inFlight--;
      },
    });
    expect(n).toBe(5);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    client.dispose();
  });

  it('a cancelled call rejects at once with code aborted, and the worker sees its signal', async () => {
    const { client } = setup();
    await client.call('add', [0, 0]);
    const ac = new AbortController();
    const spinning = client.call('spin', [], { signal: ac.signal });
    setTimeout(() => ac.abort(), 10);
    const err = await spinning.catch((e) => e);
    expect(err).toMatchObject({ code: 'aborted' });
    // The worker is free again (its loop saw the signal) and answers the next call.
    expect(await client.call('add', [1, 1])).toBe(2);
    client.dispose();
  });

  it("a worker's death fails every pending call with worker-crashed; the next call starts a fresh worker", async () => {
    const { client, workers } = setup();
    await client.call('hold', ['state']);
    const a = client.call('spin', []);
    const b = client.call('spin', []);
    await new Promise((r) => setTimeout(r, 10));
    workers[0].crash('out of memory');
    for (const p of [a, b]) {
      const err = await p.catch((e) => e);
      expect(err).toBeInstanceOf(LabError);
      expect(err.code).toBe('worker-crashed');
      expect(err.message).toMatch(/Demo worker stopped: out of memory/);
      expect(err.hint).toMatch(/fresh worker/);
    }
    expect(workers[0].terminated).toBe(true);
    expect(await client.call('held', [])).toBe(''); // a fresh worker, without the old state
    expect(workers).toHaveLength(2);
    client.dispose();
  });

  it("cancel: 'terminate' stops the worker; onStart restores state in the next one", async () => {
    const workers: ChannelWorker[] = [];
    let restored = '';
    const client = createWorkerClient<DemoApi>({
      label: 'Demo',
      start: () => {
        const w = channelWorker(createDemoApi());
        workers.push(w);
        return w;
      },
      onStart: async (call) => {
        if (restored) await call('hold', [restored]);
      },
    });
    await client.call('hold', ['kept']);
    restored = 'kept';
    const ac = new AbortController();
    const p = client.call('spin', [], { signal: ac.signal, cancel: 'terminate' });
    await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    expect(await p.catch((e) => e.code)).toBe('aborted');
    expect(workers[0].terminated).toBe(true);
    expect(await client.call('held', [])).toBe('kept');
    expect(workers).toHaveLength(2);
    client.dispose();
  });

  it('runs the same API in-page when a worker cannot be created, with the same behaviour', async () => {
    const { client, workers } = setup({ inPage: true, startThrows: true });
    expect(await client.call('add', [2, 2])).toBe(4);
    expect(client.inPage).toBe(true);
    expect(workers).toHaveLength(0);
    const seen: number[] = [];
    await client.call('count', [3], { onProgress: (i) => void seen.push(i) });
    expect(seen).toEqual([1, 2, 3]);
    expect(await client.call('fail', []).catch((e) => e.code)).toBe('empty');
    const ac = new AbortController();
    const p = client.call('spin', [], { signal: ac.signal });
    ac.abort();
    expect(await p.catch((e) => e.code)).toBe('aborted');
  });

  it('calls made at once share one in-page API', async () => {
    let made = 0;
    const client = createWorkerClient<DemoApi>({
      label: 'Demo',
      start: () => {
        throw new Error('no module workers');
      },
      inPage: async () => {
        made++;
        await new Promise((r) => setTimeout(r, 5));
        return createDemoApi();
      },
    });
    await Promise.all([client.call('hold', ['x']), client.call('add', [1, 1]), client.call('add', [2, 2])]);
    expect(await client.call('held', [])).toBe('x');
    expect(made).toBe(1);
  });

  it('falls back in-page when the worker dies before it ever answered (a worker that cannot load)', async () => {
    let started = 0;
    const client = createWorkerClient<DemoApi>({
      label: 'Demo',
      start: () => {
        started++;
        // A worker whose script fails to load: it never answers, then fires `error`.
        const listeners: Array<(ev: Event) => void> = [];
        const w: WorkerLike = {
          addEventListener: (type, l) => void (type === 'error' && listeners.push(l)),
          removeEventListener: () => {},
          postMessage: () => setTimeout(() => listeners.forEach((l) => l(new Event('error')))),
          terminate: () => {},
        };
        return w;
      },
      inPage: createDemoApi,
    });
    expect(await client.call('add', [1, 2])).toBe(3);
    expect(client.inPage).toBe(true);
    expect(started).toBe(1);
  });

  it('without an in-page API, a worker that cannot start rejects with worker-crashed (and is retried next time)', async () => {
    const { client } = setup({ startThrows: true });
    expect(await client.call('add', [1, 2]).catch((e) => e.code)).toBe('worker-crashed');
    expect(await client.call('add', [1, 2]).catch((e) => e.code)).toBe('worker-crashed');
  });
});
