import { describe, expect, it } from 'vitest';
import { detectCapabilities } from '../../../src/lib/capabilities/detect';

describe('capability detection in real Chromium', () => {
  it('finds WebGPU through SwiftShader with the test flags, and reports cores and storage', async () => {
    const c = await detectCapabilities();
    expect(c.webgpu, c.webgpuProblem ?? '').not.toBeNull();
    expect(c.webgpu!.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
    expect(c.webgpu!.limits.maxBufferSize).toBeGreaterThan(0);
    expect(typeof c.webgpu!.shaderF16).toBe('boolean');
    expect(c.logicalCores).toBeGreaterThanOrEqual(1);
    expect(c.storage.quota).toBeGreaterThan(0);
  });

  it('explains a missing WebGPU', async () => {
    const c = await detectCapabilities({ hardwareConcurrency: 4 });
    expect(c.webgpu).toBeNull();
    expect(c.webgpuProblem).toMatch(/WebGPU/);
    expect(c.logicalCores).toBe(4);
  });
});
