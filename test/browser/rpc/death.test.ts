/**
 * Worker death in real Chromium, through the one worker client (src/lib/rpc): a worker that
 * ends itself mid-call (no `error` event: only its lifeline lock tells), one killed from outside,
 * and one that throws at top level. Pending calls fail with 'worker-crashed'; the next call works.
 * Then the real lab workers moved onto src/lib/rpc (inference, fine-tuning, DPO), killed from
 * outside mid-call: the call fails with 'worker-crashed', and the next call starts a fresh worker
 * that reloads the model(s) the old one had (the client's `onStart`). Those workers are caught by
 * wrapping the page's `Worker` constructor for the test.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkerClient } from '../../../src/lib/rpc/client';
import { createInferenceClient } from '../../../src/lib/inference/client';
import { FinetuneSession } from '../../../src/labs/finetune/finetune.svelte';
import { AlignSession } from '../../../src/labs/align-dpo/align.svelte';
import { makePairs, PAIR_SEEDS } from '../../../src/lib/align/pairs';
import { DEFAULT_DPO } from '../../../src/lib/align/recipe';
import { ALL_LINEAR } from '../../../src/lib/tinylm/lora';

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

const RealWorker = globalThis.Worker;
/** Records every Worker the page starts (restored after each test). */
function catchWorkers(): Worker[] {
  const made: Worker[] = [];
  globalThis.Worker = class extends RealWorker {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      made.push(this);
    }
  };
  return made;
}
afterEach(() => {
  globalThis.Worker = RealWorker;
});
const settle = () => new Promise((r) => setTimeout(r, 50));

describe('lab workers die cleanly', () => {
  it('inference: a killed worker fails the pending call with worker-crashed; the next call reloads the model', async () => {
    const made = catchWorkers();
    const client = createInferenceClient();
    const api = await client.api();
    await api.load('tinylm-base', client.modelUrl('tinylm-base'));
    const pending = api.kvDecode('tinylm-base', 'story', 'Once upon a time', 200);
    await settle();
    made[0].terminate();
    expect(await pending.then(() => 'resolved', (e) => e.code)).toBe('worker-crashed');
    // no load call here: the fresh worker got the model back from onStart
    const r = await api.kvDecode('tinylm-base', 'story', 'Once upon a time', 4);
    expect(r.cachedIds.length).toBeGreaterThan(0);
    expect(made).toHaveLength(2);
    client.dispose();
  }, 60_000);

  it('fine-tuning: a killed worker shows worker-crashed; the next run trains in a fresh worker', async () => {
    const made = catchWorkers();
    const session = new FinetuneSession(null, '/models/tinylm-chat/');
    await session.load();
    const lora = { r: 4, alpha: 8, dropout: 0, targets: ALL_LINEAR, seed: 1 };
    const long = session.run('lora', lora, 400);
    while ((session.runs.lora?.losses.length ?? 0) < 1) await settle();
    made[0].terminate();
    expect(await long).toBeNull();
    expect(session.error).toMatchObject({ code: 'worker-crashed' });
    expect(session.running).toBeNull();
    const r = await session.run('lora', lora, 2);
    expect(r?.steps).toBe(2);
    expect(made).toHaveLength(2);
    session.dispose();
  }, 120_000);

  it('DPO: a killed worker shows worker-crashed; the next run trains in a fresh worker', async () => {
    const made = catchWorkers();
    const session = new AlignSession(null, '/models/tinylm-chat/');
    await session.load();
    const pairs = makePairs(8, PAIR_SEEDS.train);
    const long = session.run(pairs, { ...DEFAULT_DPO, steps: 300, batchSize: 2 });
    while (session.steps.length < 1) await settle();
    made[0].terminate();
    expect(await long).toBeNull();
    expect(session.error).toMatchObject({ code: 'worker-crashed' });
    expect(session.running).toBe(false);
    const r = await session.run(pairs, { ...DEFAULT_DPO, steps: 2, batchSize: 2 });
    expect(r?.steps).toBe(2);
    expect(made).toHaveLength(2);
    session.dispose();
  }, 120_000);
});
