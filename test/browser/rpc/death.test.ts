/**
 * Worker death in real Chromium, through the one worker client (src/lib/rpc): a worker that
 * ends itself mid-call (no `error` event: only its lifeline lock tells), one killed from outside,
 * and one that throws at top level. Pending calls fail with 'worker-crashed'; the next call works.
 */
import { describe, expect, it } from 'vitest';
import { createWorkerClient } from '../../../src/lib/rpc/client';

interface DyingApi {
  echo(x: string): Promise<string>;
  die(): Promise<never>;
  hang(): Promise<never>;
}

function dyingClient() {
  const workers: Worker[] = [];
  const client = createWorkerClient<DyingApi>({
    label: 'test',
    start: (name) => {
      const w = new Worker(new URL('./dying.worker.ts', import.meta.url), { type: 'module', name });
      workers.push(w);
      return w;
    },
  });
  return { client, workers };
}

describe('worker death', () => {
  it('a worker that closes itself mid-call fails the call with worker-crashed, and the next call gets a fresh worker', async () => {
    const { client, workers } = dyingClient();
    expect(await client.call('echo', ['one'])).toBe('one');
    const hanging = client.call('hang', []);
    const err = await client.call('die', []).catch((e) => e);
    expect(err).toMatchObject({ code: 'worker-crashed' });
    expect(err.message).toMatch(/test worker stopped/);
    expect(await hanging.catch((e) => e.code)).toBe('worker-crashed');
    expect(await client.call('echo', ['two'])).toBe('two');
    expect(workers).toHaveLength(2);
    client.dispose();
  });

  it('a worker killed from outside fails its pending calls at once', async () => {
    const { client, workers } = dyingClient();
    await client.call('echo', ['x']);
    const pending = client.call('hang', []);
    const t0 = performance.now();
    workers[0].terminate();
    expect(await pending.catch((e) => e.code)).toBe('worker-crashed');
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(await client.call('echo', ['after'])).toBe('after');
    client.dispose();
  });

  it('a deliberate dispose is not a crash: pending calls are cancelled, nothing reports worker-crashed', async () => {
    const { client } = dyingClient();
    await client.call('echo', ['x']);
    const pending = client.call('hang', []);
    client.dispose();
    expect(await pending.catch((e) => e.code)).toBe('aborted');
  });

  it('a worker that throws at top level fails with worker-crashed (or runs in-page when there is an in-page API)', async () => {
    const failing = createWorkerClient<DyingApi>({
      label: 'broken',
      start: (name) => new Worker(new URL('./throwing.worker.ts', import.meta.url), { type: 'module', name }),
    });
    const err = await failing.call('echo', ['x']).catch((e) => e);
    expect(err).toMatchObject({ code: 'worker-crashed' });
    expect(err.message).toMatch(/broken worker stopped/);
    const withFallback = createWorkerClient<DyingApi>({
      label: 'broken',
      start: (name) => new Worker(new URL('./throwing.worker.ts', import.meta.url), { type: 'module', name }),
      inPage: () => ({ echo: async (x: string) => `in-page ${x}`, die: () => new Promise<never>(() => {}), hang: () => new Promise<never>(() => {}) }),
    });
    expect(await withFallback.call('echo', ['x'])).toBe('in-page x');
    expect(withFallback.inPage).toBe(true);
  });
});
