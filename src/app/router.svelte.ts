/** Hash router: `#/`, `#/lesson/1.1`, `#/lesson/1.1/<lab>?s=…`, `#/device`, pages from `pages/*.page.ts`. */
import type { Component } from 'svelte';
import { parseHash, type HashRoute } from '../lib/share/url';

export interface PageDef {
  /** `/models` — a single segment */
  path: string;
  title: string;
  /** shown in the top navigation */
  nav: boolean;
  /** sort order in the navigation */
  order?: number;
  component: () => Promise<{ default: Component }>;
}

/** Pages contributed as `src/app/pages/<name>.page.ts` (default export: PageDef). */
export const PAGES: PageDef[] = Object.values(
  import.meta.glob<PageDef>('./pages/*.page.ts', { eager: true, import: 'default' }),
).sort((a, b) => (a.order ?? 50) - (b.order ?? 50) || a.title.localeCompare(b.title));

export class Router {
  route = $state<HashRoute>(parseHash(typeof location === 'undefined' ? '' : location.hash));

  constructor() {
    if (typeof window !== 'undefined') {
      window.addEventListener('hashchange', () => {
        this.route = parseHash(location.hash);
      });
    }
  }

  /** Navigates to a hash (`#/lesson/1.1`). */
  go(hash: string): void {
    location.hash = hash;
  }

  /** Replaces the current hash without a history entry (e.g. dropping `?s=`). */
  replace(hash: string): void {
    history.replaceState(history.state, '', hash);
    this.route = parseHash(hash);
  }
}
