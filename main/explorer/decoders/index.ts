import type { DecodedPayload, PayloadFormat } from '../../../preload/contract/explorer';
import { decodeCbor } from './cbor';
import { hexDump } from './hex-dump';
import { decodeKura, isGzip } from './kura';
import { decodeSparkplug } from './sparkplug';

type View = DecodedPayload['views'][string];

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function attempt(decode: () => unknown): View {
  try {
    return { ok: true, value: decode() };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

function strictUtf8(payload: Buffer): string {
  return new TextDecoder('utf-8', { fatal: true }).decode(payload);
}

/**
 * Decodes a payload in every format that applies and picks the most likely one. `topic` helps
 * tell Sparkplug B (`spBv1.0/...`) from Kura, which share the protobuf wire format.
 */
export function decodePayload(payload: Buffer, topic?: string): DecodedPayload {
  const views: DecodedPayload['views'] = {};
  views.hex = { ok: true, value: hexDump(payload) };
  const text = attempt(() => strictUtf8(payload));
  views.text = text;

  if (text.ok) {
    const str = text.value as string;
    const trimmed = str.trim();
    const json = attempt(() => JSON.parse(str));
    if (trimmed !== '') views.json = json;
    if (trimmed.length >= 8 && trimmed.length % 4 === 0 && BASE64_RE.test(trimmed)) {
      const bytes = Buffer.from(trimmed, 'base64');
      views.base64 = { ok: true, value: { bytes: bytes.length, hex: hexDump(bytes.subarray(0, 1024)) } };
    }
    if (json.ok && /^[{["]/.test(trimmed)) {
      return { detected: 'json', views };
    }
    if (views.base64 && !/\s/.test(trimmed)) return { detected: 'base64', views };
    return { detected: 'text', views };
  }

  const sparkplugTopic = topic?.split('/').some((l) => l === 'spBv1.0') ?? false;
  if (isGzip(payload)) {
    views.kura = attempt(() => decodeKura(payload));
    if (views.kura.ok) return { detected: 'kura', views };
  }
  views.sparkplugb = attempt(() => decodeSparkplug(payload));
  views.kura = attempt(() => decodeKura(payload));
  views.cbor = attempt(() => decodeCbor(payload));
  const candidates: PayloadFormat[] = sparkplugTopic
    ? ['sparkplugb', 'kura', 'cbor']
    : ['kura', 'sparkplugb', 'cbor'];
  for (const format of candidates) {
    if (views[format]?.ok) return { detected: format, views };
  }
  return { detected: 'hex', views };
}
