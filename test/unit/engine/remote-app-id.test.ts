/**
 * The Chat page and the LangChain model pass the app's model id ("remote:<name>") in requests;
 * the server must receive the bare name (found by pointing the built app at a local server:
 * every chat failed with "The model `remote:tiny-chat` does not exist").
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createRemoteEngine } from '../../../src/lib/engine/remote';
import { remoteModelId } from '../../../src/lib/engine/registry';
import type { ChatCompletion } from '../../../src/lib/engine/types';
import { startTestServer, type TestServer } from './remote-server';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('remote engine and the app-level model id', () => {
  it('sends the bare model name when a request names the model by its app id', async () => {
    server = await startTestServer();
    const engine = createRemoteEngine({ baseUrl: server.baseUrl, model: 'tiny-chat' });
    const r = (await engine.chat.completions.create({ model: remoteModelId('tiny-chat'), messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 })) as ChatCompletion;
    expect(r.choices[0]!.message.content).toBe('Hello,');
    expect(server.requests.at(-1)!.body).toMatchObject({ model: 'tiny-chat' });
    await engine.embeddings.create({ model: remoteModelId('tiny-embed'), input: ['a'] });
    expect(server.requests.at(-1)!.body).toMatchObject({ model: 'tiny-embed' });
  });
});
