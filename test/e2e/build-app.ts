/** Builds the app for end-to-end tests exactly as `npm run build` does (production mode). */
import { build } from 'vite';

/**
 * Vitest runs with NODE_ENV=test, which would make Vite (and Svelte) produce a development build:
 * `import.meta.env.DEV` true, no service worker. Force production for the duration of the build.
 */
export async function buildApp(outDir: string, env: Record<string, string> = {}): Promise<void> {
  const saved = { NODE_ENV: process.env.NODE_ENV, ...Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]])) };
  process.env.NODE_ENV = 'production';
  Object.assign(process.env, env);
  try {
    await build({ mode: 'production', logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
