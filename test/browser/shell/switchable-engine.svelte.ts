/** An engine source whose current model a test can switch (as the global model picker does). */
import { createTestEngineSource, type EngineSource } from '../../../src/ui/chat/engine-access';

export function switchableEngine(): EngineSource & { switchTo(id: string, label: string): void } {
  const base = createTestEngineSource();
  let current = $state({ id: base.currentId, label: base.label });
  return {
    ...base,
    get currentId() {
      return current.id;
    },
    get label() {
      return current.label;
    },
    async get() {
      const h = await base.get();
      return { ...h, modelId: current.id };
    },
    switchTo(id: string, label: string) {
      current = { id, label };
    },
  };
}
