/** Parsing and building the app's hash URLs: `#/lesson/1.1/sampling?s=…`. */

export interface HashRoute {
  /** path segments after `#/`, decoded */
  segments: string[];
  /** the `s=` value, if any */
  share: string | null;
  query: URLSearchParams;
}

/** Parses `location.hash` into route segments and query. Never throws. */
export function parseHash(hash: string): HashRoute {
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  const q = h.indexOf('?');
  const path = q >= 0 ? h.slice(0, q) : h;
  let query: URLSearchParams;
  try {
    query = new URLSearchParams(q >= 0 ? h.slice(q + 1) : '');
  } catch {
    query = new URLSearchParams();
  }
  const segments = path
    .split('/')
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return { segments, share: query.get('s'), query };
}

/** Builds a lesson hash, optionally focused on one lab and carrying encoded state. */
export function lessonHash(topicId: string, opts: { lab?: string; share?: string } = {}): string {
  let h = `#/lesson/${encodeURIComponent(topicId)}`;
  if (opts.lab) h += `/${encodeURIComponent(opts.lab)}`;
  if (opts.share) h += `?s=${opts.share}`;
  return h;
}
