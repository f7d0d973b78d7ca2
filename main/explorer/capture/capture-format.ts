import type { ExplorerPacket } from '../../../preload/contract/explorer';

export const CAPTURE_FORMAT = 'fieldbench-capture';

export interface CaptureHeader {
  type: 'header';
  format: typeof CAPTURE_FORMAT;
  version: 1;
  connectionId: string;
  startedAt: number;
  redactPayloads: boolean;
  redactCredentials: boolean;
}

export interface CaptureMessage {
  type: 'message';
  time: number;
  topic: string;
  account?: string;
  qos: 0 | 1 | 2;
  retain: boolean;
  size: number;
  /** base64, or null when payloads were redacted. */
  payload: string | null;
  properties?: Record<string, unknown>;
  clientId?: string;
}

export interface CapturePacket extends ExplorerPacket {
  type: string;
  record: 'packet';
}

export type CaptureLine = CaptureHeader | CaptureMessage | ({ type: 'packet' } & { packet: ExplorerPacket });

const CREDENTIAL_KEYS = new Set([
  'password',
  'username',
  'authenticationData',
  'authenticationMethod',
  'auth',
]);

/** Removes credential-bearing fields (recursively) from properties. */
export function redactCredentials(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (CREDENTIAL_KEYS.has(key)) out[key] = '[redacted]';
    else if (v && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v)) {
      out[key] = redactCredentials(v as Record<string, unknown>);
    } else out[key] = v;
  }
  return out;
}
