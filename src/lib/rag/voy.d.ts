// voy-search ships no types for its wasm-bindgen glue module; we only need its shape (see voy-index.ts).
declare module 'voy-search/voy_search_bg.js' {
  export function __wbg_set_wasm(exports: WebAssembly.Exports): void;
  export const Voy: unknown;
}
declare module 'voy-search/voy_search_bg.wasm?url' {
  const url: string;
  export default url;
}
