/**
 * A new deployment is offered to the learner: build v1, install it, deploy v2 over it, and check the
 * app shows "Reload to update" and reloads into v2.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { readFile, rm } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { buildApp } from './build-app';
import { closeBrowser, getBrowser } from './harness';

const dir = `dist-e2e/update-${process.pid}`;
let server: Server | undefined;

async function deploy(id: string): Promise<void> {
  await buildApp(dir, { LLM_LAB_BUILD_ID: id });
}

/** A static server that reads files at request time, like a real host after a deploy. */
function serve(): Promise<number> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.webmanifest': 'application/manifest+json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml' };
  server = createServer(async (req, res) => {
    const path = normalize(join(dir, new URL(req.url ?? '/', 'http://x').pathname));
    const file = path.endsWith('/') || path === dir ? join(path, 'index.html') : path;
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server!.listen(0, '127.0.0.1', () => resolve((server!.address() as { port: number }).port)));
}

afterAll(async () => {
  server?.close();
  await rm(dir, { recursive: true, force: true });
  await closeBrowser();
});

describe('new version', () => {
  it('offers to reload into a newly deployed version', async () => {
    await deploy('e2e-v1');
    const port = await serve();
    const context = await (await getBrowser()).newContext();
    const page = await context.newPage();
    await page.goto(`http://localhost:${port}/#/`);
    await page.waitForSelector('[data-build="e2e-v1"]');
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);

    await deploy('e2e-v2');
    await page.evaluate(async () => {
      await (await navigator.serviceWorker.getRegistration())?.update();
    });
    await page.waitForSelector('[data-update="available"]', { timeout: 60_000 });
    expect(await page.locator('[data-build]').getAttribute('data-build')).toBe('e2e-v1');
    await page.click('[data-update="available"] button.primary');
    await page.waitForSelector('[data-build="e2e-v2"]', { timeout: 60_000 });
    await context.close();
  });
});
