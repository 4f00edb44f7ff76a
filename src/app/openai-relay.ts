/**
 * The page side of the service worker's `/v1/*` endpoint (`public/sw-openai.js`): the worker
 * posts each request here with a MessagePort; we answer it with the local OpenAI-compatible
 * server and send back the status, headers and the body chunk by chunk. The server (and its serving
 * worker) is created on the first request only, so the shell pays nothing until it is used.
 */
import type { OpenAIHandler } from '../lib/inference/local-server';

export interface RelayedRequest {
  type: 'llm-lab-openai';
  method: string;
  url: string;
  headers: Array<[string, string]>;
  body: ArrayBuffer | null;
}

/** The page's local server (loaded on the first relayed request). */
const localOpenAIHandler = (): Promise<OpenAIHandler> => import('../lib/inference/local-server').then((m) => m.sharedLocalOpenAIHandler());

/** Answers one relayed request on `port` (exported for the relay's Node test). */
export async function answerRelayed(data: RelayedRequest, port: MessagePort, getHandler: () => Promise<OpenAIHandler> = localOpenAIHandler, origin = location.origin): Promise<void> {
  port.postMessage({ type: 'ack' });
  const ac = new AbortController();
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  port.onmessage = (m) => {
    if ((m.data as { type?: string })?.type === 'cancel') {
      ac.abort();
      void reader?.cancel().catch(() => {});
    }
  };
  try {
    // Same-origin only: the worker checks, and so do we.
    if (new URL(data.url).origin !== origin) throw new Error('Only same-origin requests are served.');
    const handler = await getHandler();
    const res = await handler(new Request(data.url, { method: data.method, headers: data.headers, body: data.body, signal: ac.signal }));
    port.postMessage({ type: 'head', status: res.status, statusText: res.statusText, headers: [...res.headers] });
    if (res.body) {
      reader = res.body.getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) {
        const buf = r.value.slice().buffer;
        port.postMessage({ type: 'chunk', chunk: buf }, [buf]);
      }
    }
    port.postMessage({ type: 'end' });
  } catch (e) {
    port.postMessage({ type: 'fail', message: e instanceof Error ? e.message : String(e) });
  }
}

/** Listens for relayed `/v1/*` requests from the service worker (no-op without one). */
export function installOpenAIRelay(): void {
  const sw = typeof navigator !== 'undefined' ? navigator.serviceWorker : undefined;
  if (!sw) return;
  sw.addEventListener('message', (ev: MessageEvent) => {
    const data = ev.data as RelayedRequest | undefined;
    if (data?.type !== 'llm-lab-openai' || !ev.ports[0]) return;
    void answerRelayed(data, ev.ports[0]);
  });
  sw.startMessages();
}
