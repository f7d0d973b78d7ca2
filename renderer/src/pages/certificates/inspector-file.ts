/** What the inspector sends for a chosen or dropped file: PEM text as is, binary DER as base64. */
export type InspectorInput = { pem: string } | { derBase64: string; fileName: string; size: number };

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  // In slices: String.fromCharCode with one argument per byte overflows the stack on large files.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** .pem/.crt files are text; .der/.cer are often binary. The content decides, not the extension. */
export async function readInspectorFile(file: File): Promise<InspectorInput> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (text.includes('-----BEGIN ')) return { pem: text };
  return { derBase64: toBase64(bytes), fileName: file.name, size: bytes.length };
}
