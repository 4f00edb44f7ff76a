/**
 * The life of a lab's worker session: loaded when the lab mounts (the lab is ready once it has
 * loaded, or in error with the reason), disposed with the lab (its worker ends). Call it while the
 * component initialises, as onMount requires.
 */
import { onDestroy, onMount } from 'svelte';
import { explainError } from '../lib/errors';
import type { LabContext } from './types';

/** `lab` returns the lab's context (a getter, so a component passes its prop, not a copy of it). */
export function mountSession(session: { load(): Promise<void>; dispose(): void }, lab: () => Pick<LabContext, 'setStatus'>, onError: (e: unknown) => void): void {
  onMount(async () => {
    try {
      await session.load();
      lab().setStatus('ready');
    } catch (e) {
      onError(e);
      lab().setStatus('error', explainError(e));
    }
  });
  onDestroy(() => session.dispose());
}
