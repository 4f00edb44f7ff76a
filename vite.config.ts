/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { svelteTesting } from '@testing-library/svelte/vite';
import { playwright } from '@vitest/browser-playwright';

/** Chromium flags that work headless as root and expose WebGPU on the CPU (SwiftShader). */
export const chromiumArgs = [
  '--no-sandbox',
  '--headless=new',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--enable-features=Vulkan',
];
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Shown in the footer; a new value makes a new service worker, which the app offers to reload into. */
const buildId = process.env.LLM_LAB_BUILD_ID ?? process.env.npm_package_version ?? 'dev';

export default defineConfig({
  base: './',
  define: { __BUILD_ID__: JSON.stringify(buildId) },
  plugins: [
    svelte(),
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      // Large chunks over the precache limit are intended (runtime-cached, see workbox below): warn, don't fail.
      showMaximumFileSizeToCacheInBytesWarning: true,
      manifest: {
        name: 'LLM Lab — learn LLM engineering by doing it',
        short_name: 'LLM Lab',
        description: 'An LLM engineering lab that runs entirely in your browser, offline.',
        theme_color: '#1d4ed8',
        background_color: '#0f172a',
        display: 'standalone',
        start_url: './',
        scope: './',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // Everything the app needs offline: code, styles, wasm, shipped models and corpora.
        globPatterns: ['**/*.{js,mjs,css,html,svg,woff2,wasm,json,bin,txt,safetensors,md}'],
        globIgnores: ['**/node_modules/**'],
        // Precache everything up to 4 MB (the app, shipped models, tokenizer tables). web-llm's two
        // ~6 MB chunks (page side and worker) are cached on first use by the rule below instead, so
        // the first visit downloads half as much and GPU models still work offline once used.
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
        runtimeCaching: [
          {
            // Hashed build assets never change: cache-first is safe.
            urlPattern: ({ url, sameOrigin }) => sameOrigin && /\/assets\/[^/]+\.(?:m?js|wasm|css)$/.test(url.pathname),
            handler: 'CacheFirst',
            options: { cacheName: 'llm-lab-assets', expiration: { maxEntries: 64 } },
          },
        ],
        navigateFallback: 'index.html',
        // The in-page OpenAI-compatible endpoint (same-origin /v1/*), relayed to an open page.
        importScripts: ['sw-openai.js'],
        // The first service worker takes control of the page that installed it, so /v1 answers over
        // HTTP on the first visit too (not only after a reload). Updates still wait for the learner.
        clientsClaim: true,
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  worker: { format: 'es' },
  // Same headers as scripts/serve.mjs: cross-origin isolation lets WebAssembly use threads.
  preview: { headers: isolationHeaders },
  server: { headers: isolationHeaders },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 8000,
  },
  optimizeDeps: {
    // LangChain's subpath modules are found late (lazily loaded lab chunks); listing them avoids a
    // dev-server reload mid-test when they are first imported. Same for gpt-tokenizer's encoder.
    include: [
      'voy-search/voy_search_bg.js',
      'gpt-tokenizer/GptEncoding',
      ...['callbacks/base', 'chat_history', 'documents', 'embeddings', 'language_models/chat_models', 'messages', 'output_parsers', 'outputs', 'prompts', 'retrievers', 'runnables', 'tools', 'utils/function_calling', 'utils/standard_schema', 'vectorstores'].map((p) => `@langchain/core/${p}`),
      '@langchain/openai', // lesson 3.1's ChatOpenAI against the in-page server
    ],
    exclude: ['@mlc-ai/web-llm'],
  },
  test: {
    projects: [
      {
        extends: true,
        plugins: [svelteTesting()],
        test: {
          name: 'unit',
          environment: 'node',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        plugins: [svelteTesting({ resolveBrowser: false })],
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 60_000,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: { executablePath: chromiumPath, args: chromiumArgs } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
