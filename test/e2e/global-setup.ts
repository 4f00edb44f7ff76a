/**
 * Builds the app once (into dist-e2e/) and serves it with Vite's preview server for all e2e tests.
 * The URL reaches the tests through `inject('baseUrl')`.
 */
import { preview, type PreviewServer } from 'vite';
import { rm } from 'node:fs/promises';
import { buildApp } from './build-app';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    distDir: string;
  }
}

let server: PreviewServer | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // One folder per run, so concurrent runs never overwrite each other's build.
  const outDir = `dist-e2e/run-${process.pid}`;
  await buildApp(outDir);
  server = await preview({ logLevel: 'warn', build: { outDir }, preview: { port: 0, host: '127.0.0.1', strictPort: false } });
  const addr = server.httpServer.address();
  const port = typeof addr === 'object' && addr ? addr.port : 4173;
  // WebGPU and service workers need a secure context: localhost qualifies.
  project.provide('baseUrl', `http://localhost:${port}/`);
  project.provide('distDir', outDir);
  return async () => {
    await server?.close();
    await rm(outDir, { recursive: true, force: true });
  };
}
