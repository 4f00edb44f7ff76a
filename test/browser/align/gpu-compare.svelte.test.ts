/**
 * The SFT-vs-DPO GPU comparison under the DPO lab, in real Chromium, through the web-llm double:
 * the app's model state (Models) with web-llm replaced by its deterministic fake, so downloads,
 * loads, streaming and cancel take the same paths as in the app, without a GPU or network.
 */
import { render, fireEvent, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import GpuCompare from '../../../src/labs/align-dpo/GpuCompare.svelte';
import { GPU_PAIRS } from '../../../src/labs/align-dpo/gpu-pairs';
import { createTestLabContext, labTestContext } from '../../../src/labs/test-context';
import { Models } from '../../../src/ui/models/models.svelte';
import { engineSourceFromModels } from '../../../src/ui/chat/engine-access';
import type { WebLLMCacheBackend } from '../../../src/ui/models/webllm.svelte';
import { createWebLLMEngine } from '../../../src/lib/engine/webllm/adapter';
import { fakeHostFactory, memoryCache, type FakeMLCEngine } from '../../../src/lib/engine/webllm/fake';
import type { CachedModel } from '../../../src/lib/engine/webllm/cache';
import type { Capabilities, GpuInfo } from '../../../src/lib/capabilities/detect';
import { openLabDB } from '../../../src/lib/storage/db';

const HERMES = GPU_PAIRS.find((p) => p.id === 'hermes')!;

const GPU: GpuInfo = {
  vendor: 'test',
  architecture: '',
  device: '',
  description: 'test GPU',
  isFallbackAdapter: false,
  shaderF16: true,
  features: ['shader-f16'],
  limits: { maxStorageBufferBindingSize: 2 ** 31, maxBufferSize: 2 ** 31, maxComputeWorkgroupStorageSize: 32768, maxComputeInvocationsPerWorkgroup: 1024 },
};

/** The app's model state over the web-llm double; `fakes` collects the fake engines created. */
function setup(opts: { cached?: string[]; delayMs?: number; reply?: (model: string) => string } = {}) {
  const cache = memoryCache(opts.cached ?? []);
  const fakes: FakeMLCEngine[] = [];
  const backend: WebLLMCacheBackend = {
    async inspect(entries) {
      const none: CachedModel = { state: 'none', bytes: 0, shardsCached: 0, shardsTotal: 0 };
      return new Map(entries.map((e) => [e.id, cache.has(e.id) ? { state: 'complete', bytes: 1, shardsCached: 2, shardsTotal: 2 } : none]));
    },
    async delete(entry) {
      cache.delete(entry.id);
    },
  };
  const caps: Partial<Capabilities> = { webgpu: GPU, webgpuProblem: null, deviceMemoryGiB: 8 };
  const db = openLabDB(`gpu-compare-${Math.random()}`);
  const reply = opts.reply ?? ((m: string) => `Reply from ${m}.`);
  const models = new Models(
    { settings: db.settings, capabilities: () => undefined, onSaveError: () => {}, onStorageChanged: () => {} },
    {
      createWebLLM: async () =>
        createWebLLMEngine({
          factory: fakeHostFactory({ cache, shards: 2, shardBytes: 1024, delayMs: opts.delayMs ?? 5, reply: () => [reply(fakes.at(-1)!.loaded[0] ?? '?')] }, (e) => fakes.push(e)),
        }),
      webllmCache: backend,
    },
  );
  const ctx = createTestLabContext({ capabilities: caps, engine: engineSourceFromModels(models), db });
  return { ctx, models, fakes, cache };
}

const q = (c: HTMLElement, sel: string) => c.querySelector(sel) as HTMLElement | null;

describe('GpuCompare (SFT vs DPO on web-llm)', () => {
  it('is hidden, with one line saying why, without WebGPU', () => {
    const ctx = createTestLabContext({ capabilities: { webgpu: null, webgpuProblem: 'This browser does not expose WebGPU (navigator.gpu is missing).' } });
    const { container } = render(GpuCompare, { props: { ctx }, context: labTestContext(ctx) });
    expect(q(container, '[data-gpu-compare-hidden="no-webgpu"]')!.textContent).toMatch(/needs WebGPU.*The TinyLM lab above works without it/);
    expect(container.querySelector('button, select, textarea')).toBeNull();
  });

  it('says it is checking while capabilities are not detected yet, then follows them (default pair by shader-f16)', async () => {
    const caps = $state({ ...createTestLabContext().capabilities }); // as the app has them before detection
    const ctx = { ...setup().ctx, capabilities: caps };
    const { container } = render(GpuCompare, { props: { ctx }, context: labTestContext(ctx) });
    expect(container.textContent).toContain('Checking this browser for WebGPU');
    caps.webgpu = { ...GPU, shaderF16: false };
    caps.webgpuProblem = null;
    await waitFor(() => expect((q(container, 'select[aria-label="Model pair"]') as HTMLSelectElement | null)?.value).toBe('tinyllama'));
  });

  it('says it needs the app where WebGPU exists but no model manager does', () => {
    const ctx = createTestLabContext({ capabilities: { webgpu: GPU, webgpuProblem: null } });
    const { container } = render(GpuCompare, { props: { ctx }, context: labTestContext(ctx) });
    expect(q(container, '[data-gpu-compare-hidden="no-models"]')).not.toBeNull();
    expect(container.querySelector('button')).toBeNull();
  });

  it('shows what to download and how big, downloads through the model manager, then streams both replies side by side', async () => {
    const evil = '<img src=x onerror="window.__gpuComparePwned=1"><script>window.__gpuComparePwned=2</script>';
    const { ctx, models, fakes } = setup({ reply: (m) => `**${m}** says hi ${evil}` });
    const { container } = render(GpuCompare, { props: { ctx }, context: labTestContext(ctx) });
    // not downloaded: both models listed with sizes, the total named, the run disabled
    await waitFor(() => expect(q(container, '[data-compare-missing]')).not.toBeNull(), { timeout: 10_000 });
    expect(q(container, '[data-compare-missing]')!.textContent).toMatch(/download SFT and DPO \(≈ \d+(\.\d+)? GiB in all/);
    for (const id of [HERMES.sft, HERMES.dpo]) {
      const card = q(container, `[data-compare-model="${id}"]`)!;
      expect(card.getAttribute('data-cached')).toBe('none');
      expect(card.textContent).toMatch(/download ≈ \d.*GiB · GPU memory \d/);
    }
    expect((q(container, '[data-compare-run]') as HTMLButtonElement).disabled).toBe(true);

    // download both through the Models page's manager
    for (const id of [HERMES.sft, HERMES.dpo]) {
      await fireEvent.click(q(container, `[data-compare-model="${id}"] button`)!);
      await waitFor(() => expect(models.webllm.cached.get(id)?.state).toBe('complete'), { timeout: 10_000 });
    }
    await waitFor(() => expect(q(container, '[data-compare-missing]')).toBeNull());
    expect(q(container, `[data-compare-model="${HERMES.sft}"]`)!.textContent).toContain('Downloaded');

    await fireEvent.input(q(container, 'input[type="number"][min="16"]')!, { target: { value: '64' } });
    await fireEvent.click(q(container, '[data-compare-run]')!);
    // one model at a time: while the SFT side works, the DPO side waits
    await waitFor(() => expect(q(container, '[data-compare-side="sft"]')!.getAttribute('data-phase')).toMatch(/loading|generating|done/));
    expect(['waiting', 'loading', 'generating', 'done']).toContain(q(container, '[data-compare-side="dpo"]')!.getAttribute('data-phase'));
    await waitFor(() => expect(q(container, '[data-compare-side="dpo"]')!.getAttribute('data-phase')).toBe('done'), { timeout: 20_000 });

    const sft = q(container, '[data-compare-side="sft"]')!;
    const dpo = q(container, '[data-compare-side="dpo"]')!;
    expect(sft.getAttribute('data-phase')).toBe('done');
    // each side got its own model's reply, rendered as Markdown
    expect(sft.querySelector('strong:not(header strong)')?.textContent).toBe(HERMES.sft);
    expect(dpo.textContent).toContain(`${HERMES.dpo} says hi`);
    for (const side of [sft, dpo]) {
      expect(side.querySelector('[data-compare-stats]')!.textContent).toMatch(/^\s*\d+ tokens · \d+ words · load \d+\.\d s · first token \d+\.\d s · reply \d+\.\d s/);
      // sanitized: no script, no event handler survived
      expect(side.querySelector('script')).toBeNull();
      expect(side.querySelector('[onerror]')).toBeNull();
    }
    await new Promise((r) => setTimeout(r, 50));
    expect((window as { __gpuComparePwned?: number }).__gpuComparePwned).toBeUndefined();

    // both requests identical but for the model; the second load replaced the first (one model on the GPU)
    const reqs = fakes.flatMap((f) => f.requests);
    expect(reqs).toHaveLength(2);
    const strip = (r: Record<string, unknown>) => ({ ...r, model: undefined });
    expect(strip(reqs[1]!)).toEqual(strip(reqs[0]!));
    expect(reqs[0]).toMatchObject({ temperature: 0, max_tokens: 64, seed: 1, stream: true });
    expect(fakes.at(-1)!.loaded).toEqual([HERMES.dpo]);
  });

  it('cancel stops the reply in flight and skips the other model', async () => {
    const long = 'word '.repeat(400);
    const { ctx, fakes } = setup({ cached: [HERMES.sft, HERMES.dpo], delayMs: 20, reply: () => long });
    const { container } = render(GpuCompare, { props: { ctx }, context: labTestContext(ctx) });
    await waitFor(() => expect((q(container, '[data-compare-run]') as HTMLButtonElement).disabled).toBe(false), { timeout: 10_000 });
    await fireEvent.click(q(container, '[data-compare-run]')!);
    const sft = () => q(container, '[data-compare-side="sft"]')!;
    await waitFor(() => expect(sft().textContent).toContain('word word'), { timeout: 10_000 });
    await fireEvent.click(q(container, '[data-compare-cancel]')!);
    await waitFor(() => expect(sft().getAttribute('data-phase')).toBe('cancelled'), { timeout: 5_000 });
    expect(q(container, '[data-compare-side="dpo"]')!.getAttribute('data-phase')).toBe('cancelled');
    expect(sft().textContent!.length).toBeLessThan(long.length);
    expect(fakes.flatMap((f) => f.requests)).toHaveLength(1);
    expect(fakes.at(-1)!.loaded).toEqual([HERMES.sft]); // the DPO model was never loaded
    // ready for the next run
    expect(q(container, '[data-compare-run]')).not.toBeNull();
  });
});
