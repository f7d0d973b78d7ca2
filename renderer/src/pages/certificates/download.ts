/** Saves bytes (base64) or text as a file through a temporary Blob URL. */
export function downloadFile(
  name: string,
  content: { base64: string } | { text: string },
  type: string,
): void {
  const blob =
    'base64' in content
      ? new Blob([Uint8Array.from(atob(content.base64), (c) => c.charCodeAt(0))], { type })
      : new Blob([content.text], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/** A file name from a certificate's common name. */
export function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'certificate';
}
