/** Saves text as a file through a temporary object URL (the browser's download). */
export function downloadText(text: string, name: string, type = 'text/plain'): void {
  downloadBlob(new Blob([text], { type }), name);
}

/** Saves bytes (a GGUF file, …) as a file through a temporary object URL. */
export function downloadBytes(bytes: Uint8Array, name: string, type = 'application/octet-stream'): void {
  downloadBlob(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), name);
}

function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** "1.2 MB", "340 KB", "812 characters": the size of a text for the UI. */
export function textSize(chars: number): string {
  if (chars >= 1_000_000) return `${(chars / 1_000_000).toFixed(1)} M characters`;
  if (chars >= 10_000) return `${Math.round(chars / 1000)} k characters`;
  return `${chars} characters`;
}
