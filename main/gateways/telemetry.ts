import { makePreview } from '../explorer/preview';

/** Per device and kind, this many recent events / states are kept in memory. */
export const HISTORY_LENGTH = 32;
/** Bytes of each payload kept for history and previews. */
export const HISTORY_PAYLOAD_BYTES = 1024;

export interface HistoryItem {
  at: number;
  subfolder: string | null;
  payload: Buffer;
  size: number;
}

interface DeviceTelemetryState {
  events: HistoryItem[];
  states: HistoryItem[];
}

export interface Preview {
  text: string;
  kind: 'text' | 'hex';
  size: number;
}

export function previewOf(payload: Buffer, size = payload.length): Preview {
  return { ...makePreview(payload), size };
}

/** Numeric fields of a JSON object payload, one level deep (for charts). */
export function numbersOf(payload: Buffer): Record<string, number> | null {
  if (payload[0] !== 0x7b) return null;
  try {
    const value = JSON.parse(payload.toString('utf8')) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(value)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
    return Object.keys(out).length > 0 ? out : null;
  } catch {
    return null;
  }
}

/** Recent events and states per device, in memory and bounded. */
export class TelemetryHistory {
  private readonly devices = new Map<string, DeviceTelemetryState>();

  record(
    key: string,
    kind: 'events' | 'states',
    at: number,
    payload: Buffer,
    subfolder: string | null,
  ): HistoryItem {
    let state = this.devices.get(key);
    if (!state) {
      state = { events: [], states: [] };
      this.devices.set(key, state);
    }
    const list = state[kind];
    const item: HistoryItem = {
      at,
      subfolder,
      payload: Buffer.from(payload.subarray(0, HISTORY_PAYLOAD_BYTES)),
      size: payload.length,
    };
    list.push(item);
    if (list.length > HISTORY_LENGTH) list.shift();
    return item;
  }

  latest(key: string, kind: 'events' | 'states'): HistoryItem | undefined {
    const list = this.devices.get(key)?.[kind];
    return list?.[list.length - 1];
  }

  list(key: string, kind: 'events' | 'states'): HistoryItem[] {
    return this.devices.get(key)?.[kind] ?? [];
  }

  forget(key: string): void {
    this.devices.delete(key);
  }
}
