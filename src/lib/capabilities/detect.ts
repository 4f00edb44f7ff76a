/**
 * Capability detection, run once at start-up and shared with every lab.
 * Framework-free: works on the main thread and in workers (anything with `navigator`).
 */

export interface GpuInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  shaderF16: boolean;
  features: string[];
  limits: {
    maxStorageBufferBindingSize: number;
    maxBufferSize: number;
    maxComputeWorkgroupStorageSize: number;
    maxComputeInvocationsPerWorkgroup: number;
  };
}

export interface StorageInfo {
  usage: number | null;
  quota: number | null;
  persisted: boolean | null;
}

export interface Capabilities {
  webgpu: GpuInfo | null;
  /** Why WebGPU is unavailable, in plain words (null when available). */
  webgpuProblem: string | null;
  logicalCores: number;
  /** navigator.deviceMemory (GiB, rounded by the browser; Chromium only) */
  deviceMemoryGiB: number | null;
  storage: StorageInfo;
  crossOriginIsolated: boolean;
  userAgent: string;
}

type NavigatorLike = {
  gpu?: GPU;
  hardwareConcurrency?: number;
  deviceMemory?: number;
  storage?: StorageManager;
  userAgent?: string;
};

/** Reads what the adapter offers without creating a device. */
export async function detectGpu(nav: NavigatorLike): Promise<{ info: GpuInfo | null; problem: string | null }> {
  if (!nav.gpu) {
    return { info: null, problem: 'This browser does not expose WebGPU (navigator.gpu is missing).' };
  }
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await nav.gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return { info: null, problem: `requestAdapter failed: ${(e as Error)?.message ?? String(e)}` };
  }
  if (!adapter) return { info: null, problem: 'WebGPU is present but no GPU adapter is available (blocklisted GPU or disabled).' };
  const ai = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
  const features = [...adapter.features].map(String).sort();
  return {
    info: {
      vendor: ai?.vendor ?? '',
      architecture: ai?.architecture ?? '',
      device: ai?.device ?? '',
      description: ai?.description ?? '',
      isFallbackAdapter: Boolean((ai as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter),
      shaderF16: adapter.features.has('shader-f16'),
      features,
      limits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
        maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
        maxComputeInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
      },
    },
    problem: null,
  };
}

/** Storage usage, quota and persistence. */
export async function detectStorage(nav: NavigatorLike): Promise<StorageInfo> {
  const s = nav.storage;
  if (!s) return { usage: null, quota: null, persisted: null };
  const [est, persisted] = await Promise.all([
    s.estimate ? s.estimate().catch(() => null) : Promise.resolve(null),
    s.persisted ? s.persisted().catch(() => null) : Promise.resolve(null),
  ]);
  return { usage: est?.usage ?? null, quota: est?.quota ?? null, persisted };
}

/** Detects everything once. */
export async function detectCapabilities(
  nav: NavigatorLike = globalThis.navigator as unknown as NavigatorLike,
  isolated: boolean = Boolean((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated),
): Promise<Capabilities> {
  const [gpu, storage] = await Promise.all([detectGpu(nav ?? {}), detectStorage(nav ?? {})]);
  return {
    webgpu: gpu.info,
    webgpuProblem: gpu.problem,
    logicalCores: nav?.hardwareConcurrency ?? 1,
    deviceMemoryGiB: typeof nav?.deviceMemory === 'number' ? nav.deviceMemory : null,
    storage,
    crossOriginIsolated: isolated,
    userAgent: nav?.userAgent ?? '',
  };
}

/** A neutral value for tests and before detection completes. */
export function emptyCapabilities(): Capabilities {
  return {
    webgpu: null,
    webgpuProblem: 'not detected yet',
    logicalCores: 1,
    deviceMemoryGiB: null,
    storage: { usage: null, quota: null, persisted: null },
    crossOriginIsolated: false,
    userAgent: '',
  };
}
