/**
 * Chat UI frame time while a fake engine streams 1,000 tokens/s into the playground's
 * components (MessageList + ChatMessage + ChatSession), in headless Chromium driven by
 * playwright-core against a Vite dev server. Frame times are requestAnimationFrame deltas
 * recorded in the page while the reply streams.
 *
 * Scenarios: the playground as shipped (one UI update per animation frame), the same with
 * per-token probability colouring (one <span> per token), and the unbatched baseline (one UI
 * update per token), plus the same page idle for 5 s: the frame-time noise floor of the machine
 * (a shared 2-core box shows long frames even with nothing to do). Budget: 16.7 ms per frame (60 Hz).
 *
 * Run: npm run bench chat-ui   (or: npx tsx test/bench/chat-ui.bench.ts)
 */
import { createServer } from 'vite';
import { chromium } from 'playwright-core';
import type { AddressInfo } from 'node:net';
import { chromiumArgs, chromiumPath } from '../../vite.config';

const TPS = 1000;
const TOKENS = 5000;
const BUDGET_MS = 1000 / 60;

interface Figures {
  scenario: string;
  tokensPerS: number;
  frames: number;
  p50: number;
  p95: number;
  max: number;
  over: number;
  updates: number;
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

export default async function run(): Promise<void> {
  const server = await createServer({ root: process.cwd(), logLevel: 'error', server: { host: '127.0.0.1', port: 0, hmr: false }, cacheDir: 'node_modules/.vite-bench-chat-ui', optimizeDeps: { entries: ['test/bench/chat-ui/index.html'] } });
  await server.listen();
  const port = (server.httpServer!.address() as AddressInfo).port;
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  const rows: Figures[] = [];
  try {
    const scenarios: Array<[string, string]> = [
      ['idle page, no stream (noise floor)', 'mode=idle&probs=0'],
      ['batched per frame (shipped)', 'mode=frame&probs=0'],
      ['batched + probability colouring', 'mode=frame&probs=1'],
      // The baseline cannot keep up: it streams 1,000 tokens only, to stay within the bench's time.
      ['per-token updates (baseline)', 'mode=per-token&probs=0&tokens=1000'],
    ];
    for (const [name, query] of scenarios) {
      const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
      page.on('pageerror', (e) => console.error('page error:', e.message));
      page.on('console', (m) => m.type() === 'error' && console.error('console:', m.text()));
      await page.goto(`http://127.0.0.1:${port}/test/bench/chat-ui/index.html?tps=${TPS}&${query.includes('tokens=') ? '' : `tokens=${TOKENS}&`}${query}`);
      await page.waitForSelector('[data-chat-input]', { timeout: 20_000 });
      // The recorder lives in the page (main.ts) so no Node-side function is serialised into it.
      const result = (await page.evaluate('window.runBench()')) as { deltas: number[]; seconds: number; tokens: number; updates: number };
      const sorted = result.deltas.slice(1).sort((a, b) => a - b);
      rows.push({
        scenario: name,
        tokensPerS: Math.round(result.tokens / result.seconds),
        frames: sorted.length,
        p50: quantile(sorted, 0.5),
        p95: quantile(sorted, 0.95),
        max: sorted.at(-1) ?? NaN,
        over: sorted.filter((d) => d > BUDGET_MS + 0.5).length,
        updates: result.updates,
      });
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const base = rows.find((r) => r.scenario.startsWith('per-token'));
  console.log(`\nChat UI while streaming ${TOKENS} tokens at ${TPS} tokens/s (headless Chromium, software rendering). Budget ${BUDGET_MS.toFixed(1)} ms/frame.\n`);
  console.table(
    rows.map((r) => ({
      scenario: r.scenario,
      'tokens/s': r.tokensPerS,
      frames: r.frames,
      'p50 ms': r.p50.toFixed(1),
      'p95 ms': r.p95.toFixed(1),
      'max ms': r.max.toFixed(1),
      'frames > budget': r.over,
      'share > budget': `${((100 * r.over) / Math.max(1, r.frames)).toFixed(0)} %`,
      'DOM mutations': r.updates,
      'p95 vs per-token': base && r !== base ? `${(r.p95 / base.p95).toFixed(4)}×` : '—',
    })),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
