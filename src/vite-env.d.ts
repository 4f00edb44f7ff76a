/// <reference types="svelte" />
/// <reference types="vite/client" />
/// <reference types="vite-plugin-pwa/client" />

/** Build identifier injected by vite.config.ts. */
declare const __BUILD_ID__: string;
