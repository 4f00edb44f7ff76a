/** The embeddings lab with too few texts: ready, with an explanation (it used to stay "loading" forever). */
import { describe, expect, it } from 'vitest';
import { render } from '@testing-library/svelte';
import { fakeHost, until } from './lab-host';
import { reactive } from './reactive.svelte';
import meta from '../../../src/labs/embeddings/meta';

describe('embeddings lab input checks', () => {
  for (const texts of ['', 'only one text']) {
    it(`with ${texts ? 'one text' : 'no texts'} it is ready and says at least two are needed`, async () => {
      const host = fakeHost();
      const state = reactive({ ...meta.defaults(), texts });
      const { default: C } = await meta.component();
      const r = render(C, { props: { state, ctx: host.ctx } });
      await until(() => host.status() === 'ready', 10_000, 'ready');
      const notice = await until(() => r.container.querySelector('[data-embed-notice]'), 5000, 'notice');
      expect(notice.textContent).toMatch(/at least two texts/);
      expect(host.errors).toEqual([]);
      expect(host.completed).toEqual([]);
      r.unmount();
    });
  }
});
