/**
 * A remote server that misbehaves, on 127.0.0.1 (bounded: every server closes after its test):
 * one that never answers, stalls mid-stream, answers 200 with JSON, an HTML page or nothing,
 * closes the stream before [DONE], or sends chunks of the wrong shape. Each gives a typed error
 * that quotes what came, or (a JSON completion to a streamed request) a usable reply.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/lib/engine/errors';
import { createRemoteEngine } from '../../../src/lib/engine/remote';
import type { ChatCompletionChunk } from '../../../src/lib/engine/types';
import { startTestServer, type TestServer, type TestServerOptions } from './remote-server';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function engineFor(opts: TestServerOptions, timeouts = { timeoutMs: 300, listTimeoutMs: 300 }) {
  server = await startTestServer(opts);
  return createRemoteEngine({ baseUrl: server.baseUrl, model: 'tiny-chat', ...timeouts });
}

/** Streams a reply; returns the text that came and the error that ended it (if any). */
async function streamed(engine: ReturnType<typeof createRemoteEngine>) {
  let text = '';
  let finish: string | null = null;
  try {
    const s = (await engine.chat.completions.create({ messages: [{ role: 'user', content: 'hi' }], stream: true })) as AsyncIterable<ChatCompletionChunk>;
    for await (const c of s) {
      text += c.choices[0]?.delta.content ?? '';
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    return { text, finish, error: null as EngineError | null };
  } catch (e) {
    return { text, finish, error: e as EngineError };
  }
}

const html = '<!DOCTYPE html><html><head><title>Sign in</title></head><body>Corporate proxy: please sign in</body></html>';

describe('remote endpoint that misbehaves', () => {
  it('"Test & list models" against a server that never answers times out, and can be cancelled', async () => {
    const engine = await engineFor({ raw: { path: '/v1/models', hang: true } });
    const err = await engine.listModels().catch((e) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err.code).toBe('timeout');
    expect(err.message).toMatch(/did not answer GET \/models within 300 ms/);
    const ac = new AbortController();
    const pending = engine.listModels(ac.signal).catch((e) => e);
    ac.abort();
    expect((await pending).code).toBe('aborted');
  });

  it('a chat request to a server that never answers times out', async () => {
    const engine = await engineFor({ raw: { path: '/v1/chat/completions', hang: true } });
    const r = await streamed(engine);
    expect(r.error?.code).toBe('timeout');
    expect(r.error?.message).toMatch(/sent no answer to POST \/chat\/completions within 300 ms/);
  });

  it('a stream that stalls mid-reply times out, keeping the tokens that came', async () => {
    const engine = await engineFor({ stallAfter: 2 });
    const r = await streamed(engine);
    expect(r.text).toBe('Hello,');
    expect(r.error?.code).toBe('timeout');
    expect(r.error?.message).toMatch(/stopped sending in the middle of the reply/);
  });

  it('a 200 with an HTML page, or an empty body, is a bad response quoting what came', async () => {
    const engine = await engineFor({ raw: { path: '/v1/chat/completions', contentType: 'text/html', body: html } });
    const r = await streamed(engine);
    expect(r.error?.code).toBe('bad-response');
    expect(r.error?.message).toContain('an HTML page (text/html)');
    expect(r.error?.message).toContain('Corporate proxy');
    await server!.close();
    const empty = await engineFor({ raw: { path: '/v1/chat/completions', contentType: 'text/event-stream', body: '' } });
    const e = await streamed(empty);
    expect(e.error?.code).toBe('bad-response');
    expect(e.error?.message).toMatch(/an empty body instead of an event stream/);
  });

  it('a 200 with a JSON completion (stream ignored) becomes the reply; other JSON is explained', async () => {
    const completion = { id: 'c', object: 'chat.completion', created: 1, model: 'tiny-chat', choices: [{ index: 0, message: { role: 'assistant', content: 'Plain JSON reply.' }, finish_reason: 'stop' }] };
    const engine = await engineFor({ raw: { path: '/v1/chat/completions', contentType: 'application/json', body: JSON.stringify(completion) } });
    const r = await streamed(engine);
    expect(r.error).toBeNull();
    expect(r.text).toBe('Plain JSON reply.');
    expect(r.finish).toBe('stop');
    await server!.close();
    const other = await engineFor({ raw: { path: '/v1/chat/completions', contentType: 'application/json', body: '{"status":"ok"}' } });
    const e = await streamed(other);
    expect(e.error?.code).toBe('bad-response');
    expect(e.error?.message).toContain('{"status":"ok"}');
  });

  it('a stream closed before [DONE] without a finish reason is an incomplete reply, not a complete one', async () => {
    const engine = await engineFor({ cutBeforeEnd: true });
    const r = await streamed(engine);
    expect(r.text).toBe('Hello, world!');
    expect(r.finish).toBeNull();
    expect(r.error?.code).toBe('bad-response');
    expect(r.error?.message).toMatch(/closed before it was finished.*incomplete/);
  });

  it('a malformed chunk ("choices" not a list) is named, not "e.choices.some is not a function"', async () => {
    const body = 'data: {"id":"x","object":"chat.completion.chunk","choices":{"0":{"delta":{"content":"hi"}}}}\n\ndata: [DONE]\n\n';
    const engine = await engineFor({ raw: { path: '/v1/chat/completions', contentType: 'text/event-stream', body } });
    const r = await streamed(engine);
    expect(r.error?.code).toBe('bad-response');
    expect(r.error?.message).toMatch(/not an OpenAI chat.completion.chunk \("choices" is not a list\)/);
    await server!.close();
    const wrongContent = await engineFor({ raw: { path: '/v1/chat/completions', contentType: 'text/event-stream', body: 'data: {"choices":[{"delta":{"content":{"text":"x"}}}]}\n\n' } });
    expect((await streamed(wrongContent)).error?.message).toMatch(/"delta.content" is not text/);
  });

  it('a model list that is an HTML page, or JSON without data, is explained', async () => {
    const engine = await engineFor({ raw: { path: '/v1/models', contentType: 'text/html', body: html } });
    const err = await engine.listModels().catch((e) => e);
    expect(err.code).toBe('bad-response');
    expect(err.message).toMatch(/an HTML page \(text\/html\).*Corporate proxy.*not a JSON model list/);
    await server!.close();
    const nodata = await engineFor({ raw: { path: '/v1/models', contentType: 'application/json', body: '{"models":[]}' } });
    expect((await nodata.listModels().catch((e) => e)).message).toMatch(/without a "data" list/);
  });
});
