import type { PageDef } from '../router.svelte';

export default {
  path: '/chat',
  title: 'Chat',
  nav: true,
  order: 20,
  component: () => import('./Chat.svelte'),
} satisfies PageDef;
