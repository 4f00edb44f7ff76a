/** Fetches voy's wasm in the browser or a worker (Vite turns the `?url` import into an asset URL). */
import wasmUrl from 'voy-search/voy_search_bg.wasm?url';

/** The wasm bytes of voy-search, for `VoyIndex.create`. */
export async function voyWasmBytes(): Promise<ArrayBuffer> {
  const res = await fetch(wasmUrl);
  if (!res.ok) throw new Error(`Could not load voy-search's WebAssembly (${res.status}).`);
  return res.arrayBuffer();
}
