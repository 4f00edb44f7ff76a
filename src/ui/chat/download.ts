/** Saves text as a file through a temporary object URL (the browser's download). */
export function downloadText(text: string, name: string, type = 'text/plain'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
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
