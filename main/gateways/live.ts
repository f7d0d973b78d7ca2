import type { ClientRef } from '../broker';
import type { DeviceKind } from '../../preload/contract/gateways';
import { type DeviceTopic, deviceKey, parseDeviceTopic } from './ids';

/** What authentication puts into the principal's attributes (plain data, it is serialized). */
export interface DevicePrincipalData {
  accountId: string;
  accountName: string;
  registryId: string;
  deviceId: string;
  kind: DeviceKind;
  /** When the login JWT expires (epoch ms). */
  expiresAt: number;
}

export const PRINCIPAL_ATTRIBUTE = 'gatewayDevice';

export function principalData(client: ClientRef): DevicePrincipalData | undefined {
  return client.principal.attributes?.[PRINCIPAL_ATTRIBUTE] as DevicePrincipalData | undefined;
}

/** One connected gateway or device. */
export interface LiveClient {
  ref: ClientRef;
  data: DevicePrincipalData;
  key: string;
  /** Device ids attached through this gateway. */
  attached: Set<string>;
  /** Command filters per device id (for `sendCommand`). */
  commandFilters: Map<string, Set<string>>;
  expiryTimer: NodeJS.Timeout | null;
  /** Devices attached with their own JWT are detached when it expires. */
  attachTimers: Map<string, NodeJS.Timeout>;
  /** Parsed topics (authorize and intercept both need them, per message). */
  topics: Map<string, DeviceTopic | null>;
  /** Device id → device key, for the devices this client publishes for. */
  keys: Map<string, string>;
}

/** Parsed topics remembered per client; a client cycling through more starts over. */
const TOPIC_CACHE = 512;

export function topicOf(live: LiveClient, topic: string): DeviceTopic | null {
  let parsed = live.topics.get(topic);
  if (parsed === undefined) {
    parsed = parseDeviceTopic(topic, live.data.registryId);
    if (live.topics.size >= TOPIC_CACHE) live.topics.clear();
    live.topics.set(topic, parsed);
  }
  return parsed;
}

/** The process-wide key of a device this client acts for. */
export function keyOf(live: LiveClient, deviceId: string): string {
  let key = live.keys.get(deviceId);
  if (key === undefined) {
    key = deviceKey(live.data.accountId, live.data.registryId, deviceId);
    if (live.keys.size >= TOPIC_CACHE) live.keys.clear();
    live.keys.set(deviceId, key);
  }
  return key;
}

/**
 * Who is connected and attached right now. Keyed by the broker's per-connection ClientRef, so a
 * take-over never confuses the old connection with the new one.
 */
export class LiveRegistry {
  private readonly clients = new WeakMap<ClientRef, LiveClient>();
  /** Device key → its own connection. */
  private readonly direct = new Map<string, LiveClient>();
  /** Device key → gateways it is attached through. */
  private readonly attachedVia = new Map<string, Set<LiveClient>>();

  constructor(private readonly onChange: (key: string) => void) {}

  get(ref: ClientRef): LiveClient | undefined {
    return this.clients.get(ref);
  }

  /** The live record of a client authenticated by this capability (created on first use). */
  of(ref: ClientRef): LiveClient | undefined {
    const known = this.clients.get(ref);
    if (known) return known;
    const data = principalData(ref);
    if (!data) return undefined;
    const live: LiveClient = {
      ref,
      data,
      key: deviceKey(data.accountId, data.registryId, data.deviceId),
      attached: new Set(),
      commandFilters: new Map(),
      expiryTimer: null,
      attachTimers: new Map(),
      topics: new Map(),
      keys: new Map(),
    };
    this.clients.set(ref, live);
    this.direct.set(live.key, live);
    this.onChange(live.key);
    return live;
  }

  /** Forgets a closed connection: a gateway's disconnect detaches all its devices. */
  drop(ref: ClientRef): LiveClient | undefined {
    const live = this.clients.get(ref);
    if (!live) return undefined;
    this.clients.delete(ref);
    if (live.expiryTimer) clearTimeout(live.expiryTimer);
    if (this.direct.get(live.key) === live) this.direct.delete(live.key);
    for (const deviceId of [...live.attached]) this.detach(live, deviceId);
    this.onChange(live.key);
    return live;
  }

  /** `until`: epoch ms at which the attachment ends by itself (the device token's expiry). */
  attach(gateway: LiveClient, deviceId: string, until?: number): void {
    gateway.attached.add(deviceId);
    clearTimeout(gateway.attachTimers.get(deviceId));
    gateway.attachTimers.delete(deviceId);
    if (until !== undefined) {
      const timer = setTimeout(() => this.detach(gateway, deviceId), Math.max(0, until - Date.now()));
      timer.unref();
      gateway.attachTimers.set(deviceId, timer);
    }
    const key = deviceKey(gateway.data.accountId, gateway.data.registryId, deviceId);
    let via = this.attachedVia.get(key);
    if (!via) {
      via = new Set();
      this.attachedVia.set(key, via);
    }
    via.add(gateway);
    this.onChange(key);
  }

  /** Returns whether the device was attached there. */
  detach(gateway: LiveClient, deviceId: string): boolean {
    if (!gateway.attached.delete(deviceId)) return false;
    clearTimeout(gateway.attachTimers.get(deviceId));
    gateway.attachTimers.delete(deviceId);
    gateway.commandFilters.delete(deviceId);
    const key = deviceKey(gateway.data.accountId, gateway.data.registryId, deviceId);
    const via = this.attachedVia.get(key);
    via?.delete(gateway);
    if (via?.size === 0) this.attachedVia.delete(key);
    this.onChange(key);
    return true;
  }

  connection(key: string): LiveClient | undefined {
    return this.direct.get(key);
  }

  gatewaysOf(key: string): LiveClient[] {
    return [...(this.attachedVia.get(key) ?? [])];
  }

  /** Every live client a device key can be reached through: itself and the gateways it is attached to. */
  reachableThrough(key: string): LiveClient[] {
    const own = this.direct.get(key);
    return own ? [own, ...this.gatewaysOf(key)] : this.gatewaysOf(key);
  }

  all(): LiveClient[] {
    return [...this.direct.values()];
  }

  attachedCount(): number {
    return this.attachedVia.size;
  }
}
