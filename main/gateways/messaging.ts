import { ApiError } from '../api/api-error';
import { topicMatches } from '../broker';
import type { BrokerEventMap } from '../broker';
import { namespaceOf } from '../tenancy';
import { closeClient, type RuntimeContext } from './context';
import { deviceKey, deviceTopic, parseDeviceTopic } from './ids';
import type { DeviceRef } from './model';

/** Config versions remembered per device to tell which one a PUBACK acknowledges. */
const RECENT_CONFIGS = 8;
const FORMS = ['registry', 'devices'] as const;

/** Config (retained, versioned, acknowledged by PUBACK), commands, and disconnecting devices. */
export class DeviceMessaging {
  private readonly recentConfigs = new Map<string, { version: number; payload: Buffer }[]>();

  constructor(private readonly ctx: RuntimeContext) {}

  private broker() {
    const broker = this.ctx.broker();
    if (!broker) throw new ApiError('UNAVAILABLE', 'The broker is not running');
    return broker;
  }

  private prefixOf(accountId: string): string {
    const name = this.ctx.repo.accountName(accountId);
    if (name === undefined) throw new ApiError('NOT_FOUND', `Unknown account ${accountId}`);
    return namespaceOf(name);
  }

  /**
   * Stores the next config version and publishes it retained (QoS 1) on both config topic forms,
   * so a device gets the latest version as soon as it subscribes.
   */
  async updateConfig(ref: DeviceRef, payload: Buffer): Promise<number> {
    const { accountId, registryId, deviceId } = ref;
    const row = this.ctx.repo.device(accountId, registryId, deviceId)!;
    const version = row.config_version + 1;
    const key = deviceKey(accountId, registryId, deviceId);
    this.ctx.repo.setConfig([accountId, registryId, deviceId], version, payload);
    const recent = this.recentConfigs.get(key) ?? [];
    recent.push({ version, payload });
    if (recent.length > RECENT_CONFIGS) recent.shift();
    this.recentConfigs.set(key, recent);
    const broker = this.broker();
    const topicPrefix = this.prefixOf(accountId);
    this.ctx.watchConfigAcks();
    await Promise.all(
      FORMS.map((form) =>
        broker.publish(
          { topic: deviceTopic(form, registryId, deviceId, 'config'), payload, qos: 1, retain: true },
          { topicPrefix },
        ),
      ),
    );
    this.ctx.repo.markConfigSent([accountId, registryId, deviceId], this.ctx.now());
    this.ctx.touched(key);
    return version;
  }

  /** Removes a deleted device's retained config. */
  async clearConfig(registryId: string, deviceId: string, accountPrefix: string): Promise<void> {
    const broker = this.ctx.broker();
    if (!broker) return;
    await Promise.all(
      FORMS.map((form) =>
        broker.publish(
          {
            topic: deviceTopic(form, registryId, deviceId, 'config'),
            payload: Buffer.alloc(0),
            qos: 0,
            retain: true,
          },
          { topicPrefix: accountPrefix },
        ),
      ),
    );
  }

  /** A QoS 1 config delivery was acknowledged: the version with that payload is acknowledged. */
  onDelivered(event: BrokerEventMap['message.delivered']): void {
    if (event.qos !== 1 || !event.topic.endsWith('/config')) return;
    const live = this.ctx.live.get(event.client);
    if (!live) return;
    const parsed = parseDeviceTopic(event.topic, live.data.registryId);
    if (parsed?.kind !== 'config') return;
    const { accountId, registryId } = live.data;
    const key = deviceKey(accountId, registryId, parsed.deviceId);
    let version = 0;
    for (const c of this.recentConfigs.get(key) ?? [])
      if (c.payload.equals(event.payload)) version = c.version;
    if (version === 0) {
      const row = this.ctx.repo.device(accountId, registryId, parsed.deviceId);
      if (row?.config_payload?.equals(event.payload)) version = row.config_version;
    }
    if (version === 0) return;
    this.ctx.repo.markConfigAcked([accountId, registryId, parsed.deviceId], version);
    this.ctx.touched(key);
  }

  /** Sends a command to every live subscriber of the device's commands (itself or its gateways). */
  async sendCommand(ref: DeviceRef, payload: Buffer, subfolder: string | undefined): Promise<number> {
    const { accountId, registryId, deviceId } = ref;
    const tail = subfolder ? `commands/${subfolder}` : 'commands';
    const key = deviceKey(accountId, registryId, deviceId);
    const topics = new Set<string>();
    let subscribers = 0;
    for (const client of this.ctx.live.reachableThrough(key)) {
      const filters = client.commandFilters.get(deviceId);
      if (!filters) continue;
      let reached = false;
      for (const form of FORMS) {
        const topic = deviceTopic(form, registryId, deviceId, tail);
        for (const filter of filters) {
          if (topicMatches(filter, topic)) {
            topics.add(topic);
            reached = true;
          }
        }
      }
      if (reached) subscribers++;
    }
    if (subscribers === 0) {
      throw new ApiError(
        'UNAVAILABLE',
        `Device "${deviceId}" is not subscribed to ${subfolder ? `commands/${subfolder}` : 'commands'} (neither directly nor through an attached gateway)`,
      );
    }
    const broker = this.broker();
    const topicPrefix = this.prefixOf(accountId);
    try {
      await Promise.all(
        [...topics].map((topic) => broker.publish({ topic, payload, qos: 1 }, { topicPrefix })),
      );
    } catch (err) {
      throw new ApiError('BAD_REQUEST', `The command could not be sent: ${(err as Error).message}`);
    }
    return subscribers;
  }

  /** Closes a device's own connection and detaches it from every gateway. */
  disconnect(ref: DeviceRef, reason: string): number {
    const key = deviceKey(ref.accountId, ref.registryId, ref.deviceId);
    let count = 0;
    const own = this.ctx.live.connection(key);
    if (own) {
      closeClient(this.ctx, own.ref, 0x98, reason);
      count++;
    }
    for (const gateway of this.ctx.live.gatewaysOf(key))
      if (this.ctx.live.detach(gateway, ref.deviceId)) count++;
    return count;
  }

  forget(key: string): void {
    this.recentConfigs.delete(key);
  }
}
