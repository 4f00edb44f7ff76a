/**
 * Playwright-core helpers for end-to-end tests against the built app (served by global-setup).
 * Each `openApp` call gets a fresh browser context (a fresh profile: empty IndexedDB, no SW).
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../vite.config';

let browser: Browser | undefined;

/** The shared browser (launched on first use). */
export async function getBrowser(): Promise<Browser> {
  if (!browser || !browser.isConnected()) {
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  }
  return browser;
}

export function baseUrl(): string {
  return inject('baseUrl');
}

export interface OpenedApp {
  page: Page;
  context: BrowserContext;
  /** page errors and console errors seen so far */
  errors: string[];
  close(): Promise<void>;
}

/** Opens the app at a hash route (`#/lesson/1.1`) in a fresh context. */
export async function openApp(hash = '#/', opts: { context?: BrowserContext } = {}): Promise<OpenedApp> {
  const b = await getBrowser();
  const context = opts.context ?? (await b.newContext());
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(baseUrl() + hash);
  return {
    page,
    context,
    errors,
    close: async () => {
      if (!opts.context) await context.close();
      else await page.close();
    },
  };
}

/** Closes the shared browser (call in afterAll of the last suite, or let the process end). */
export async function closeBrowser(): Promise<void> {
  await browser?.close();
  browser = undefined;
}
