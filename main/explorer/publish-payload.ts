/** Turns a publish request's payload (`text`, `base64` or `json`) into bytes. */
export function payloadBytes(payload: { encoding: 'text' | 'base64' | 'json'; data?: unknown }): Buffer {
  switch (payload.encoding) {
    case 'text':
      return Buffer.from(
        typeof payload.data === 'string' ? payload.data : String(payload.data ?? ''),
        'utf8',
      );
    case 'base64':
      if (typeof payload.data !== 'string') throw new Error('base64 payload data must be a string');
      return Buffer.from(payload.data, 'base64');
    case 'json':
      return Buffer.from(JSON.stringify(payload.data ?? null), 'utf8');
  }
}

/** Turns `{ base64 }` wrappers (how binary properties cross the API) back into Buffers. */
export function propertiesFromJson(
  props: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (!props) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(props)) {
    const b64 = value && typeof value === 'object' ? (value as { base64?: unknown }).base64 : undefined;
    out[key] = typeof b64 === 'string' ? Buffer.from(b64, 'base64') : value;
  }
  return out;
}
