import type { GatewayErrorEntry } from '../../preload/contract/gateways';
import { namespaceOf } from '../tenancy';
import type { RuntimeContext } from './context';
import type { LiveClient } from './live';

/** How many recent errors are kept for the page. */
const RECENT_ERRORS = 500;

export type GatewayErrorType =
  | 'GATEWAY_ATTACHMENT_ERROR'
  | 'GATEWAY_DETACHMENT_ERROR'
  | 'GATEWAY_DEVICE_NOT_ATTACHED'
  | 'GATEWAY_INVALID_MQTT_TOPIC'
  | 'GATEWAY_INVALID_PAYLOAD';

/** Publishes errors on a gateway's `/<registry>/<gateway>/errors` topic and keeps the recent ones. */
export class ErrorReporter {
  private readonly recent: GatewayErrorEntry[] = [];

  constructor(private readonly ctx: RuntimeContext) {}

  report(
    gateway: LiveClient,
    errorType: GatewayErrorType,
    description: string,
    deviceId: string,
    info: { message_type: 'PUBLISH' | 'SUBSCRIBE'; topic: string; packet_id: number },
  ): void {
    const { data } = gateway;
    const body = { error_type: errorType, description, device_id: deviceId, mqtt_message_info: info };
    const entry: GatewayErrorEntry = {
      at: this.ctx.now(),
      accountId: data.accountId,
      registryId: data.registryId,
      gatewayId: data.deviceId,
      ...body,
    };
    this.recent.push(entry);
    if (this.recent.length > RECENT_ERRORS) this.recent.shift();
    this.ctx.events?.emit('gateways.error', entry);
    this.ctx
      .broker()
      ?.publish(
        { topic: `/${data.registryId}/${data.deviceId}/errors`, payload: JSON.stringify(body), qos: 0 },
        { topicPrefix: namespaceOf(data.accountName) },
      )
      .catch((err: unknown) => this.ctx.logger.error({ err }, 'could not publish a gateway error'));
  }

  list(accountId: string | undefined, limit: number): GatewayErrorEntry[] {
    const matching =
      accountId === undefined ? this.recent : this.recent.filter((e) => e.accountId === accountId);
    return matching.slice(-limit);
  }
}
