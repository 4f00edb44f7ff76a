/**
 * The one byte formatter of the app: binary units, named as such (KiB, MiB, GiB: 1 MiB =
 * 1024² bytes), three significant digits. Every page and lab shows sizes through it, so a
 * model's download, the storage used and a KV cache are all in the same units.
 */

/** Human-readable bytes with binary units ("1.50 KiB", "96.0 MiB", "16.0 GiB"); '—' when unknown. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Math.abs(bytes);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = v >= 100 || i === 0 ? 0 : v >= 10 ? 1 : 2;
  return `${bytes < 0 ? '-' : ''}${v.toFixed(digits)} ${units[i]}`;
}
