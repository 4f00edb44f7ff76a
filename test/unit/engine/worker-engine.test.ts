/**
 * The worker proxy, in Node: the "worker" is the real protocol host on the other end of a
 * MessageChannel (same code path as a Web Worker, minus the thread). The real worker file runs
 * in test/browser/engine/.
 */
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/lib/engine/errors';
import { createTestDoubleEngine } from '../../../src/lib/engine/test-double';
import type { ChatEngine } from '../../../src/lib/engine/types';
import { createWorkerEngine } from '../../../src/lib/engine/worker-engine';
import { channelWorker as fakeWorker, type ChannelWorker } from '../rpc/channel-worker';
import { hostEngine } from '../../../src/lib/engine/worker-protocol';
import { runEngineContract } from './contract';
import { tinyEngine } from './tiny-fixture';

/** A fake Worker: a MessageChannel whose far end serves `make()` through the protocol. */
function channelWorker(make: () => ChatEngine): ChannelWorker {
  return fakeWorker(hostEngine(make));
}

runEngineContract('test double behind the worker protocol', () =>
  createWorkerEngine({ kind: 'test-double', createWorker: () => channelWorker(() => createTestDoubleEngine()) }),
);

runEngineContract('TinyLM behind the worker protocol', () =>
  createWorkerEngine({ kind: 'tinylm', createWorker: () => channelWorker(() => tinyEngine()) }),
  { jsonSeeds: 1 },
);

describe('worker engine', () => {
  it('a crashed worker rejects pending calls with worker-crashed, and the next call starts a fresh one', async () => {
    const workers: Array<ReturnType<typeof channelWorker>> = [];
    const engine = createWorkerEngine({
      kind: 'test-double',
      createWorker: () => {
        const w = channelWorker(() => createTestDoubleEngine({ tokensPerSecond: 20 }));
        workers.push(w);
        return w;
      },
    });
    await engine.load!('test-double');
    const pending = engine.chat.completions.create({ messages: [{ role: 'user', content: 'a long request' }] });
    await new Promise((r) => setTimeout(r, 30));
    workers[0].crash('out of memory');
    const err = await pending.catch((e) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('worker-crashed');
    expect((err as EngineError).message).toMatch(/out of memory/);
    const r = await engine.chat.completions.create({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });
    expect(r.choices[0].message.content).toBe('You');
    expect(workers).toHaveLength(2);
    await engine.unload();
  });

  it('a stream in flight fails with worker-crashed too', async () => {
    let w!: ReturnType<typeof channelWorker>;
    const engine = createWorkerEngine({
      kind: 'test-double',
      createWorker: () => (w = channelWorker(() => createTestDoubleEngine({ tokensPerSecond: 50 }))),
    });
    const stream = await engine.chat.completions.create({ messages: [{ role: 'user', content: 'hello there' }], stream: true });
    const got: string[] = [];
    const err = await (async () => {
      for await (const c of stream) {
        got.push(c.choices[0]?.delta.content ?? '');
        if (got.length === 3) w.crash('boom');
      }
    })().catch((e) => e);
    expect((err as EngineError).code).toBe('worker-crashed');
    await engine.unload();
  });

  it('typed errors cross the boundary', async () => {
    const engine = createWorkerEngine({ kind: 'tinylm', createWorker: () => channelWorker(() => tinyEngine()) });
    const err = await engine.load!('no-such-model').catch((e) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('model-not-found');
    await engine.unload();
  });
});
