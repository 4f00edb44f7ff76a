import { mount } from 'svelte';
import Harness from './Harness.svelte';
import type { ChatSession } from '../../../src/ui/chat/chat-session.svelte';

mount(Harness, { target: document.getElementById('app')! });

/** Streams one reply and records requestAnimationFrame deltas and DOM mutations meanwhile. */
async function runBench(): Promise<{ deltas: number[]; seconds: number; tokens: number; updates: number }> {
  const session = (window as unknown as { session: ChatSession }).session;
  const deltas: number[] = [];
  let updates = 0;
  let last = performance.now();
  let recording = true;
  const tick = (t: number) => {
    deltas.push(t - last);
    last = t;
    if (recording) requestAnimationFrame(tick);
  };
  const obs = new MutationObserver((records) => (updates += records.length));
  obs.observe(document.querySelector('[data-chat-log]')!, { subtree: true, childList: true, characterData: true });
  const t0 = performance.now();
  requestAnimationFrame((t) => {
    last = t;
    requestAnimationFrame(tick);
  });
  if (new URLSearchParams(location.search).get('mode') === 'idle') await new Promise((r) => setTimeout(r, 5000));
  else await session.send('stream please');
  recording = false;
  obs.disconnect();
  const seconds = (performance.now() - t0) / 1000;
  const msg = session.conversation.messages.at(-1);
  return { deltas, seconds, tokens: msg?.stats?.completionTokens ?? 0, updates };
}

(window as unknown as { runBench: typeof runBench }).runBench = runBench;
