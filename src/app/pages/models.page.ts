import type { PageDef } from '../router.svelte';

export default {
  path: '/models',
  title: 'Models',
  nav: true,
  order: 30,
  component: () => import('./Models.svelte'),
} satisfies PageDef;
