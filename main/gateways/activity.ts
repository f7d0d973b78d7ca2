import type { DeviceLive } from '../../preload/contract/gateways';
import type { RuntimeContext } from './context';
import { deviceKey } from './ids';
import { keyOf, type LiveClient } from './live';
import type { DeviceRow } from './repository';
import { previewOf } from './telemetry';

const ACTIVITY_INTERVAL_MS = 250;
const SAVE_INTERVAL_MS = 1000;
/** From this many changed devices of one registry on, its rows are read in one query. */
const WHOLE_REGISTRY_FROM = 50;
/** Devices per `gateways.activity` event. */
const BATCH = 500;

interface PendingLatest {
  ref: [string, string, string];
  eventAt?: number;
  event?: Buffer;
  stateAt?: number;
  state?: Buffer;
}

/**
 * Records events and state, batches live changes into `gateways.activity` (at most every 250 ms,
 * one entry per device), and writes each device's latest event and state behind, once a second.
 */
export class ActivityTracker {
  private readonly pending = new Set<string>();
  private readonly latest = new Map<string, PendingLatest>();
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly ctx: RuntimeContext) {
    const flush = setInterval(() => this.flushActivity(), ACTIVITY_INTERVAL_MS);
    const save = setInterval(() => this.saveLatest(), SAVE_INTERVAL_MS);
    flush.unref();
    save.unref();
    this.timers.push(flush, save);
  }

  touched(key: string): void {
    this.pending.add(key);
  }

  record(
    via: LiveClient,
    deviceId: string,
    kind: 'events' | 'states',
    payload: Buffer,
    subfolder: string | null,
  ): void {
    const key = keyOf(via, deviceId);
    const on = via.data;
    const item = this.ctx.telemetry.record(key, kind, this.ctx.now(), payload, subfolder);
    let latest = this.latest.get(key);
    if (!latest) {
      latest = { ref: [on.accountId, on.registryId, deviceId] };
      this.latest.set(key, latest);
    }
    if (kind === 'events') {
      latest.eventAt = item.at;
      latest.event = item.payload;
    } else {
      latest.stateAt = item.at;
      latest.state = item.payload;
    }
    this.pending.add(key);
  }

  /** The live half of a device's view (memory first, then what the database remembers). */
  view(row: DeviceRow): DeviceLive {
    const key = deviceKey(row.account_id, row.registry_id, row.device_id);
    const telemetry = this.ctx.telemetry;
    const event = telemetry.latest(key, 'events');
    const state = telemetry.latest(key, 'states');
    const eventPayload = event?.payload ?? row.last_event_payload;
    const statePayload = state?.payload ?? row.state_payload;
    return {
      accountId: row.account_id,
      registryId: row.registry_id,
      deviceId: row.device_id,
      connected: this.ctx.live.connection(key) !== undefined,
      attachedTo: this.ctx.live
        .gatewaysOf(key)
        .map((g) => g.data.deviceId)
        .sort(),
      lastEventAt: event?.at ?? row.last_event_at,
      lastEvent: eventPayload ? previewOf(eventPayload, event?.size) : null,
      lastStateAt: state?.at ?? row.state_at,
      lastState: statePayload ? previewOf(statePayload, state?.size) : null,
      configVersion: row.config_version,
      configSentAt: row.config_sent_at,
      configAckedVersion: row.config_acked_version,
    };
  }

  private flushActivity(): void {
    if (this.pending.size === 0) return;
    const keys = [...this.pending];
    this.pending.clear();
    const events = this.ctx.events;
    if (!events?.hasListeners) return;
    const devices: DeviceLive[] = [];
    // Grouped per registry: many changed devices of one registry cost one query, not one each.
    const byRegistry = new Map<string, string[]>();
    for (const key of keys) {
      const [accountId, registryId, deviceId] = key.split('\u0000') as [string, string, string];
      const registry = `${accountId}\u0000${registryId}`;
      const ids = byRegistry.get(registry);
      if (ids) ids.push(deviceId);
      else byRegistry.set(registry, [deviceId]);
    }
    for (const [registry, ids] of byRegistry) {
      const [accountId, registryId] = registry.split('\u0000') as [string, string];
      if (ids.length > WHOLE_REGISTRY_FROM) {
        const wanted = new Set(ids);
        for (const row of this.ctx.repo.devices(accountId, registryId)) {
          if (wanted.has(row.device_id)) devices.push(this.view(row));
        }
      } else {
        for (const deviceId of ids) {
          const row = this.ctx.repo.device(accountId, registryId, deviceId);
          if (row) devices.push(this.view(row));
        }
      }
    }
    const at = this.ctx.now();
    for (let i = 0; i < devices.length; i += BATCH) {
      events.emit('gateways.activity', { at, devices: devices.slice(i, i + BATCH) });
    }
  }

  saveLatest(): void {
    if (this.latest.size === 0) return;
    const rows = [...this.latest.values()];
    this.latest.clear();
    try {
      this.ctx.repo.saveLatest(rows);
    } catch (err) {
      this.ctx.logger.error({ err }, 'could not save the latest device events');
    }
  }

  close(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.saveLatest();
  }
}
