export const PREVIEW_BYTES = 120;

/** A short preview of a payload: text when the first bytes are printable UTF-8, otherwise hex. */
export function makePreview(payload: Buffer, max = PREVIEW_BYTES): { text: string; kind: 'text' | 'hex' } {
  const head = payload.subarray(0, max);
  if (isPrintableUtf8(head)) {
    let text = head.toString('utf8');
    // A cut multi-byte sequence decodes to U+FFFD at the end; drop it.
    if (payload.length > max) text = text.replace(/\uFFFD+$/, '');
    return { text, kind: 'text' };
  }
  return { text: head.toString('hex'), kind: 'hex' };
}

export function isPrintableUtf8(bytes: Buffer): boolean {
  const text = bytes.toString('utf8');
  let replacements = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xfffd) {
      replacements++;
      continue;
    }
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
    if (c === 0x7f) return false;
  }
  // Allow one replacement char: a multi-byte sequence cut at the preview boundary.
  return replacements <= 1 && !(replacements === 1 && !text.endsWith('\uFFFD'));
}
