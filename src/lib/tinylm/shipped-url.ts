/** Where a shipped model's folder (public/models/<id>/) is, resolved against the page. */
export function shippedModelUrl(id: string): string {
  const doc = typeof document !== 'undefined' ? document.baseURI : (globalThis.location?.href ?? '/');
  // BASE_URL is './' in the build (relative to index.html) and '/' under the dev/test server.
  return new URL((import.meta.env?.BASE_URL ?? './') + `models/${id}/`, doc).href;
}
