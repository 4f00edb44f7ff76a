/**
 * The app's own OpenAI-compatible server, page side: a `(Request) → Promise<Response>` that hands
 * each request to the serving worker (`workers/openai.worker.ts`: the handler of
 * `openai-server.ts` over the continuously batched `ServingEngine`) and streams the response back.
 * The page stays responsive while TinyLM decodes; concurrent requests share the worker's forward
 * passes. A client that cancels the body (or aborts its request) cancels the call, and the worker
 * retires that sequence. Created on demand by whoever answers `/v1/*` (the service-worker relay,
 * the serving lab, tests).
 */
import { createWorkerClient } from '../rpc/client';
import { defaultModelsBaseUrl } from '../engine/worker-engine';
import { errorResponse } from './openai-server';
import type { NumberedStep, OpenAIWorkerApi, RelayPart } from './openai-worker-api';

export type OpenAIHandler = (req: Request) => Promise<Response>;

export interface LocalOpenAIServer {
  handler: OpenAIHandler;
  /** The engine's steps numbered above `after` (batch size, tokens, blocks per step). */
  steps(after: number): Promise<NumberedStep[]>;
  dispose(): void;
}

/** Creates the local server (the worker starts on the first request). */
export function createLocalOpenAIServer(modelsBaseUrl = defaultModelsBaseUrl(), maxBatch = 8): LocalOpenAIServer {
  const client = createWorkerClient<OpenAIWorkerApi>({
    label: 'openai-server',
    start: (name) => new Worker(new URL('../../../workers/openai.worker.ts', import.meta.url), { type: 'module', name }),
    inPage: async () => (await import('./openai-worker-api')).createOpenAIWorkerApi(),
    onStart: async (call) => {
      await call('init', [{ modelsBaseUrl, maxBatch }]);
    },
  });
  const handler: OpenAIHandler = async (req) => {
    const body = req.method === 'GET' || req.method === 'HEAD' ? null : await req.arrayBuffer();
    const ac = new AbortController();
    const onAbort = () => ac.abort();
    if (req.signal?.aborted) ac.abort();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let gone = false;
    const stream = new ReadableStream<Uint8Array>({
      start: (c) => void (controller = c),
      cancel: () => {
        gone = true; // the reader went away: the worker's request is aborted
        ac.abort();
      },
    });
    return new Promise<Response>((resolve) => {
      let headed = false;
      const onPart = (p: RelayPart) => {
        if (p.type === 'head') {
          headed = true;
          resolve(new Response(stream, { status: p.status, statusText: p.statusText, headers: p.headers }));
        } else if (!gone) controller.enqueue(p.bytes);
      };
      client
        .call('fetch', [{ method: req.method, url: req.url, headers: [...req.headers], body }], // 'finish': an aborted request still gets its tail (finish_reason "abort", then [DONE]).
        { signal: ac.signal, cancel: 'finish', onProgress: onPart })
        .then(() => {
          if (!headed) resolve(errorResponse(500, 'The server sent no response.', 'server_error'));
          else if (!gone) controller.close();
        })
        .catch((e: unknown) => {
          const message = e instanceof Error ? e.message : String(e);
          if (!headed) resolve(ac.signal.aborted ? errorResponse(499, 'The client closed the request.', 'invalid_request_error', 'client_closed_request') : errorResponse(500, message, 'server_error'));
          else if (!gone) controller.error(e);
        })
        .finally(() => req.signal?.removeEventListener('abort', onAbort));
    });
  };
  return { handler, steps: (after) => client.call('steps', [after]), dispose: () => client.dispose() };
}

let shared: LocalOpenAIServer | null = null;

/**
 * The page's one local server, shared by the service-worker relay and the serving lab (one
 * serving worker, created on first use and kept while the page lives).
 */
export function sharedLocalOpenAIServer(): LocalOpenAIServer {
  shared ??= createLocalOpenAIServer();
  return shared;
}

/** The shared server's request handler. */
export function sharedLocalOpenAIHandler(): OpenAIHandler {
  return sharedLocalOpenAIServer().handler;
}
