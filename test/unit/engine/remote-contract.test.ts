/**
 * The shared engine contract, run on the remote backend against the local wire-format server.
 * The server is a dumb echo of fixed tokens, so features that are the *server's* semantics
 * (stop sequences, logprob values, constrained JSON, tools, n) are skipped: this run checks
 * the wire handling (SSE, usage, finish reasons, interrupt, embeddings, model list).
 */
import { afterAll } from 'vitest';
import { createRemoteEngine } from '../../../src/lib/engine/remote';
import { runEngineContract } from './contract';
import { startTestServer, type TestServer } from './remote-server';

let server: TestServer;
afterAll(() => server?.close());

runEngineContract(
  'remote (local OpenAI-compatible server)',
  async () => {
    server = await startTestServer({ tokens: Array.from({ length: 40 }, (_, i) => ` w${i}`), delayMs: 1 });
    return createRemoteEngine({ baseUrl: server.baseUrl, model: 'tiny-chat' });
  },
  { skip: ['stop', 'logprobs', 'json_schema', 'tools', 'tokenize', 'n'] },
);
