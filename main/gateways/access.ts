import type { AuthorizeResult, ClientRef, SubscribeAuthorization } from '../broker';
import { closeClient, type RuntimeContext } from './context';
import type { ErrorReporter } from './error-reporter';
import { parseDeviceTopic } from './ids';
import { type LiveClient, topicOf } from './live';

const NOT_AUTHORIZED = 0x87;
const QOS_NOT_SUPPORTED = 0x9b;
const TOPIC_NOT_ALLOWED: AuthorizeResult = Object.freeze({
  reasonCode: NOT_AUTHORIZED,
  reasonString:
    'Not authorized: devices publish only events, state, attach and detach on their device topics',
});
const NOT_YOURS: AuthorizeResult = Object.freeze({
  reasonCode: NOT_AUTHORIZED,
  reasonString: 'Not authorized: a device only uses its own topics',
});

/** May this client act for `deviceId`: it is that device, or a gateway it is attached to. */
export function actsFor(live: LiveClient, deviceId: string): boolean {
  return deviceId === live.data.deviceId || live.attached.has(deviceId);
}

/**
 * Publish and subscribe rules for JWT devices and gateways. Publishes that need the payload or the
 * packet id (attach/detach, publishes for devices that are not attached) are left to the interceptor.
 */
export function createDeviceAccess(ctx: RuntimeContext, errors: ErrorReporter) {
  function authorizePublish(client: ClientRef, topic: string, qos: 0 | 1 | 2): AuthorizeResult {
    const live = ctx.live.of(client)!;
    if (qos === 2) {
      closeClient(ctx, client, QOS_NOT_SUPPORTED, 'QoS 2 publishes are not supported');
      return { reasonCode: QOS_NOT_SUPPORTED, reasonString: 'QoS 2 is not supported' };
    }
    const parsed = topicOf(live, topic);
    if (!parsed) return TOPIC_NOT_ALLOWED;
    switch (parsed.kind) {
      case 'attach':
      case 'detach':
        if (live.data.kind !== 'gateway') {
          closeClient(
            ctx,
            client,
            NOT_AUTHORIZED,
            `${parsed.kind} from "${live.data.deviceId}", which is not a gateway`,
          );
          return { reasonCode: NOT_AUTHORIZED, reasonString: 'only gateways may attach or detach devices' };
        }
        return true;
      case 'events':
      case 'state':
        // A gateway's publish for another device is checked (and reported) by the interceptor.
        return parsed.deviceId === live.data.deviceId || live.data.kind === 'gateway' ? true : NOT_YOURS;
      default:
        return TOPIC_NOT_ALLOWED;
    }
  }

  function authorizeSubscribe(
    client: ClientRef,
    filter: string,
    qos: 0 | 1 | 2,
    packetId = 0,
  ): SubscribeAuthorization {
    const live = ctx.live.of(client)!;
    const parsed = parseDeviceTopic(filter, live.data.registryId);
    const allowedKind =
      parsed !== null &&
      (parsed.kind === 'config' ||
        parsed.kind === 'commands' ||
        (parsed.kind === 'errors' && live.data.kind === 'gateway' && parsed.deviceId === live.data.deviceId));
    if (!parsed || !allowedKind) {
      return {
        reasonCode: NOT_AUTHORIZED,
        reasonString: 'Not authorized: devices subscribe to config, commands/# and (gateways) errors',
      };
    }
    if (!actsFor(live, parsed.deviceId)) {
      if (live.data.kind === 'gateway') {
        errors.report(
          live,
          'GATEWAY_DEVICE_NOT_ATTACHED',
          `Device "${parsed.deviceId}" is not attached to gateway "${live.data.deviceId}"`,
          parsed.deviceId,
          { message_type: 'SUBSCRIBE', topic: filter, packet_id: packetId },
        );
      }
      return NOT_YOURS;
    }
    return qos === 2 ? { grantedQos: 1 } : true;
  }

  /** A gateway stops receiving for a device once it is detached. */
  function authorizeDelivery(client: ClientRef, topic: string): AuthorizeResult {
    const live = ctx.live.get(client);
    if (live?.data.kind !== 'gateway' || live.attached.size === 0) return true;
    const parsed = topicOf(live, topic);
    return parsed === null || actsFor(live, parsed.deviceId) ? true : NOT_YOURS;
  }

  /** Tracks command subscriptions, so `sendCommand` knows whether anyone listens. */
  function subscribed(client: ClientRef, subscriptions: { filter: string; granted: number }[]): void {
    const live = ctx.live.get(client);
    if (!live) return;
    for (const s of subscriptions) {
      if (s.granted >= 0x80) continue;
      const parsed = parseDeviceTopic(s.filter, live.data.registryId);
      if (parsed?.kind === 'config' && s.granted === 1) ctx.watchConfigAcks();
      if (parsed?.kind !== 'commands') continue;
      let filters = live.commandFilters.get(parsed.deviceId);
      if (!filters) {
        filters = new Set();
        live.commandFilters.set(parsed.deviceId, filters);
      }
      filters.add(s.filter);
    }
  }

  function unsubscribed(client: ClientRef, filters: string[]): void {
    const live = ctx.live.get(client);
    if (!live) return;
    for (const filter of filters) {
      const parsed = parseDeviceTopic(filter, live.data.registryId);
      if (parsed?.kind === 'commands') live.commandFilters.get(parsed.deviceId)?.delete(filter);
    }
  }

  return { authorizePublish, authorizeSubscribe, authorizeDelivery, subscribed, unsubscribed };
}
