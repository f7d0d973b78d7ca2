import type { ClientRef, InterceptResult, PublishInterceptor } from '../broker';
import { actsFor } from './access';
import type { ActivityTracker } from './activity';
import type { RuntimeContext } from './context';
import type { ErrorReporter } from './error-reporter';
import { type LiveClient, topicOf } from './live';

const NOT_AUTHORIZED = 0x87;

type MessageInfo = { message_type: 'PUBLISH'; topic: string; packet_id: number };

/** Reads `{ "authorization": "<JWT>" }` (or nothing) from an attach payload. */
function attachToken(payload: Buffer): { ok: true; token: string | undefined } | { ok: false } {
  if (payload.length === 0) return { ok: true, token: undefined };
  if (payload.length > 16_384) return { ok: false };
  try {
    const value = JSON.parse(payload.toString('utf8')) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false };
    const authorization = (value as { authorization?: unknown }).authorization;
    if (authorization !== undefined && typeof authorization !== 'string') return { ok: false };
    return { ok: true, token: authorization === '' ? undefined : authorization };
  } catch {
    return { ok: false };
  }
}

/**
 * The interceptor for device topics (`/#`): attach and detach are consumed here; events and state
 * are recorded and routed; a gateway's publish for a device that is not attached is reported on its
 * errors topic and dropped.
 */
export function createControlInterceptor(
  ctx: RuntimeContext,
  errors: ErrorReporter,
  activity: ActivityTracker,
): PublishInterceptor {
  async function attach(
    live: LiveClient,
    deviceId: string,
    payload: Buffer,
    info: MessageInfo,
  ): Promise<InterceptResult> {
    const { accountId, accountName, registryId, deviceId: gatewayId } = live.data;
    const fail = (description: string): InterceptResult => {
      errors.report(live, 'GATEWAY_ATTACHMENT_ERROR', description, deviceId, info);
      return { reasonCode: NOT_AUTHORIZED, reasonString: description };
    };
    if (deviceId === gatewayId) return fail('A gateway cannot attach itself');
    const device = ctx.repo.device(accountId, registryId, deviceId);
    if (!device) return fail(`Unknown device "${deviceId}" in registry "${registryId}"`);
    if (device.kind === 'gateway') return fail(`"${deviceId}" is a gateway and cannot be attached`);
    if (device.blocked) return fail(`Device "${deviceId}" is blocked`);
    const parsed = attachToken(payload);
    if (!parsed.ok) {
      const description = 'The attach payload must be empty or {"authorization": "<JWT>"}';
      errors.report(live, 'GATEWAY_INVALID_PAYLOAD', description, deviceId, info);
      return { reasonCode: NOT_AUTHORIZED, reasonString: description };
    }
    const method = ctx.repo.device(accountId, registryId, gatewayId)?.auth_method ?? 'association-only';
    if (method !== 'device-token-only' && !ctx.repo.isBound(accountId, registryId, gatewayId, deviceId)) {
      return fail(`Device "${deviceId}" is not bound to gateway "${gatewayId}"`);
    }
    let until: number | undefined;
    if (method !== 'association-only') {
      if (parsed.token === undefined)
        return fail(`Gateway auth method ${method} needs the device's JWT in "authorization"`);
      const check = await ctx.auth.verifyToken(accountId, accountName, registryId, deviceId, parsed.token);
      if (!check.ok) return fail(`The device JWT was refused: ${check.reason}: ${check.message}`);
      until = check.expiresAt;
    }
    if (ctx.live.get(live.ref) !== live)
      return { reasonCode: NOT_AUTHORIZED, reasonString: 'gateway disconnected' };
    ctx.live.attach(live, deviceId, until);
    return true;
  }

  return (client: ClientRef, message) => {
    const live = ctx.live.of(client);
    if (!live) return false;
    const parsed = topicOf(live, message.topic);
    if (!parsed) return false;
    const info: MessageInfo = { message_type: 'PUBLISH', topic: message.topic, packet_id: message.packetId };
    switch (parsed.kind) {
      case 'attach':
        return attach(live, parsed.deviceId, message.payload, info);
      case 'detach':
        // Detaching a device that is not attached is acknowledged all the same.
        ctx.live.detach(live, parsed.deviceId);
        return true;
      case 'events':
      case 'state':
        if (!actsFor(live, parsed.deviceId)) {
          errors.report(
            live,
            'GATEWAY_DEVICE_NOT_ATTACHED',
            `Device "${parsed.deviceId}" is not attached to gateway "${live.data.deviceId}"`,
            parsed.deviceId,
            info,
          );
          return { reasonCode: NOT_AUTHORIZED, reasonString: `device "${parsed.deviceId}" is not attached` };
        }
        activity.record(
          live,
          parsed.deviceId,
          parsed.kind === 'events' ? 'events' : 'states',
          message.payload,
          parsed.subfolder,
        );
        return false;
      default:
        return false;
    }
  };
}
