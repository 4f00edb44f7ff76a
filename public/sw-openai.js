/*
 * LLM Lab's OpenAI-compatible endpoint, part of the service worker (imported by the generated
 * sw.js through workbox `importScripts`). Same-origin requests to `<scope>v1/*` are relayed over a
 * MessageChannel to the page that made them (or another open LLM Lab page), where
 * `src/app/openai-relay.ts` hands them to the local server (the serving worker: continuous batching
 * over a paged KV cache, so concurrent requests share forward passes). The body
 * comes back as a stream, so server-sent events reach the caller token by token; when the caller
 * goes away the stream is cancelled and the page stops generating.
 * Plain JS on purpose: it is copied as is, not bundled.
 */
/* eslint-env serviceworker */
(() => {
  const PREFIX = new URL('v1/', self.registration.scope).pathname;

  const error = (status, message, code) =>
    new Response(JSON.stringify({ error: { message, type: 'server_error', param: null, code } }), {
      status,
      headers: { 'Content-Type': 'application/json' },
    });

  async function pickClient(event) {
    const own = event.clientId ? await self.clients.get(event.clientId) : null;
    if (own) return own;
    const all = await self.clients.matchAll({ type: 'window' });
    return all[0] || null;
  }

  async function relay(event) {
    const req = event.request;
    const client = await pickClient(event);
    if (!client) return error(503, 'No LLM Lab page is open to run the model. Open the app in a tab, then retry.', 'no_page');
    const body = req.method === 'GET' || req.method === 'HEAD' ? null : await req.arrayBuffer();
    const channel = new MessageChannel();
    const port = channel.port1;
    return new Promise((resolve) => {
      let controller = null;
      let finished = false;
      // The page acknowledges at once; a page without the relay (an old tab) never does.
      const timer = setTimeout(() => resolve(error(503, 'The open LLM Lab page did not answer. Reload it, then retry.', 'no_relay')), 5000);
      const cancel = () => {
        if (!finished) port.postMessage({ type: 'cancel' });
        finished = true;
        clearTimeout(timer);
        resolve(error(499, 'The client closed the request.', 'client_closed_request')); // no-op once answered
      };
      if (req.signal) req.signal.addEventListener('abort', cancel);
      port.onmessage = (m) => {
        const d = m.data;
        // After the caller cancelled, late chunks from the page are dropped (the stream is closed).
        if (finished) return;
        if (d.type === 'ack') clearTimeout(timer);
        else if (d.type === 'head') {
          clearTimeout(timer);
          const stream = new ReadableStream({
            start(c) {
              controller = c;
            },
            cancel,
          });
          resolve(new Response(stream, { status: d.status, statusText: d.statusText || '', headers: d.headers }));
        } else if (d.type === 'chunk' && controller) controller.enqueue(new Uint8Array(d.chunk));
        else if (d.type === 'end') {
          finished = true;
          if (controller) controller.close();
          port.close();
        } else if (d.type === 'fail') {
          finished = true;
          clearTimeout(timer);
          if (controller) controller.error(new Error(d.message));
          else resolve(error(500, d.message, null));
          port.close();
        }
      };
      const msg = { type: 'llm-lab-openai', method: req.method, url: req.url, headers: [...req.headers], body };
      client.postMessage(msg, body ? [channel.port2, body] : [channel.port2]);
    });
  }

  self.addEventListener('fetch', (event) => {
    const url = new URL(event.request.url);
    // Only this origin's /v1/ under the app's scope; everything else is left to workbox.
    if (url.origin !== self.location.origin || !url.pathname.startsWith(PREFIX)) return;
    event.respondWith(relay(event));
  });
})();
