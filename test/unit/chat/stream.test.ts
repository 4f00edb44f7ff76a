import { describe, expect, it } from 'vitest';
import { consumeStream, immediateScheduler, StreamAccumulator, timerScheduler, type FrameScheduler } from '../../../src/lib/chat/stream';
import type { ChatCompletionChunk, TokenLogprob } from '../../../src/lib/engine/types';

function chunk(content: string | null, extra: Partial<ChatCompletionChunk['choices'][0]> = {}, usage?: ChatCompletionChunk['usage']): ChatCompletionChunk {
  return { id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null, ...extra }], usage };
}

/** A scheduler the test fires by hand: one "frame" = one call to fire(). */
function manualScheduler(): FrameScheduler & { fire(): void; pending: number } {
  let cbs = new Map<number, () => void>();
  let next = 1;
  return {
    request(cb) {
      cbs.set(next, cb);
      return next++;
    },
    cancel(h) {
      cbs.delete(h);
    },
    fire() {
      const now = cbs;
      cbs = new Map();
      for (const cb of now.values()) cb();
    },
    get pending() {
      return cbs.size;
    },
  };
}

describe('StreamAccumulator', () => {
  it('collects content, logprobs, finish reason and usage', () => {
    const acc = new StreamAccumulator();
    const lp: TokenLogprob = { token: 'Hi', logprob: -0.1, top_logprobs: [] };
    acc.push(chunk(null, { delta: { role: 'assistant' } }), 1);
    acc.push(chunk('Hi', { logprobs: { content: [lp] } }), 5);
    acc.push(chunk(' there'), 6);
    acc.push(chunk(null, { finish_reason: 'length' }, { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }), 7);
    expect(acc.content).toBe('Hi there');
    expect(acc.tokens).toEqual([lp]);
    expect(acc.firstTokenAt).toBe(5);
    expect(acc.contentChunks).toBe(2);
    expect(acc.finishReason).toBe('length');
    expect(acc.usage?.completion_tokens).toBe(2);
  });
});

describe('consumeStream', () => {
  it('batches many chunks into one update per frame and always flushes the end', async () => {
    const sched = manualScheduler();
    const updates: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    async function* gen() {
      for (let i = 0; i < 100; i++) yield chunk(`${i} `);
      await gate; // a frame passes here
      for (let i = 100; i < 150; i++) yield chunk(`${i} `);
    }
    let t = 0;
    const p = consumeStream(gen(), { scheduler: sched, onUpdate: (s) => updates.push(s.content), now: () => t++ });
    await new Promise((r) => setTimeout(r, 0));
    expect(sched.pending).toBe(1); // 100 chunks, one frame requested
    sched.fire();
    expect(updates).toHaveLength(1);
    expect(updates[0].split(' ').filter(Boolean)).toHaveLength(100);
    release();
    const res = await p;
    expect(sched.pending).toBe(0); // the pending frame was cancelled, then the final flush ran
    expect(updates).toHaveLength(2);
    expect(res.flushes).toBe(2);
    expect(res.content.split(' ').filter(Boolean)).toHaveLength(150);
    expect(res.finishReason).toBe('stop');
    expect(res.stats.completionTokens).toBe(150);
  });

  it('keeps partial content and the error when the stream throws', async () => {
    async function* gen() {
      yield chunk('partial');
      throw new Error('device lost');
    }
    const res = await consumeStream(gen(), { scheduler: timerScheduler(1), onUpdate: () => {} });
    expect(res.content).toBe('partial');
    expect((res.error as Error).message).toBe('device lost');
    expect(res.finishReason).toBeNull();
  });

  it('stops reading on abort and reports finish reason abort', async () => {
    const ac = new AbortController();
    let produced = 0;
    async function* gen() {
      for (let i = 0; i < 1000; i++) {
        produced++;
        if (i === 3) ac.abort();
        yield chunk('x');
      }
    }
    const res = await consumeStream(gen(), { scheduler: timerScheduler(1), onUpdate: () => {}, signal: ac.signal });
    expect(res.finishReason).toBe('abort');
    expect(res.content).toBe('xxxx');
    expect(produced).toBe(4);
  });

  it('a synchronous scheduler gives one update per chunk (the unbatched baseline)', async () => {
    async function* gen() {
      for (let i = 0; i < 5; i++) yield chunk('x');
    }
    const seen: string[] = [];
    const res = await consumeStream(gen(), { scheduler: immediateScheduler, onUpdate: (s) => seen.push(s.content) });
    expect(seen).toEqual(['x', 'xx', 'xxx', 'xxxx', 'xxxxx', 'xxxxx']);
    expect(res.flushes).toBe(6);
  });

  it('uses engine usage for stats', async () => {
    async function* gen() {
      yield chunk('a');
      yield chunk(null, { finish_reason: 'stop' }, { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4, extra: { decode_tokens_per_s: 99 } });
    }
    const res = await consumeStream(gen(), { scheduler: timerScheduler(1), onUpdate: () => {} });
    expect(res.stats.source).toBe('engine');
    expect(res.stats.decodeTokensPerS).toBe(99);
    expect(res.usage?.prompt_tokens).toBe(3);
  });
});
