const MAX_DUMP_BYTES = 64 * 1024;

/** Classic 16-bytes-per-line hex dump with an ASCII column; long payloads are cut (and say so). */
export function hexDump(payload: Buffer): string {
  const bytes = payload.subarray(0, MAX_DUMP_BYTES);
  const lines: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += 16) {
    const row = bytes.subarray(offset, offset + 16);
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  if (payload.length > bytes.length) lines.push(`… ${payload.length - bytes.length} more bytes`);
  return lines.join('\n');
}
