import type { gatewaysMethods, GatewayDevice } from '../../preload/contract/gateways';
import { ApiError } from '../api/api-error';
import type { CallContext, HandlersFor } from '../api/handlers';
import { namespaceOf } from '../tenancy';
import type { ActivityTracker } from './activity';
import type { RuntimeContext } from './context';
import type { ErrorReporter } from './error-reporter';
import { deviceKey } from './ids';
import type { DeviceMessaging } from './messaging';
import type { DeviceRef, GatewayModel } from './model';
import { numbersOf, previewOf } from './telemetry';

export interface HandlerDeps {
  ctx: RuntimeContext;
  model: GatewayModel;
  activity: ActivityTracker;
  messaging: DeviceMessaging;
  errors: ErrorReporter;
  audit?: (call: CallContext, action: string, target: string, details?: unknown) => void;
  changed: (accountId: string) => void;
}

const decode = (payload: string, encoding: 'utf8' | 'base64') => Buffer.from(payload, encoding);
const target = (r: DeviceRef) => `device:${r.registryId}/${r.deviceId}`;

export function createGatewayHandlers(d: HandlerDeps): HandlersFor<keyof typeof gatewaysMethods> {
  const { ctx, model, activity, messaging } = d;

  const toDto = (ref: DeviceRef): GatewayDevice => dtoOf(model.device(ref));
  function dtoOf({ row, keys, bindings }: ReturnType<GatewayModel['device']>): GatewayDevice {
    return {
      ...activity.view(row),
      kind: row.kind,
      blocked: row.blocked !== 0,
      metadata: JSON.parse(row.metadata) as Record<string, string>,
      authMethod: row.auth_method,
      keys,
      bindings,
      createdAt: row.created_at,
    };
  }

  const online = (ref: DeviceRef) => {
    const key = deviceKey(ref.accountId, ref.registryId, ref.deviceId);
    return ctx.live.connection(key) !== undefined || ctx.live.gatewaysOf(key).length > 0;
  };

  async function removeDevice(ref: DeviceRef, prefix: string): Promise<void> {
    messaging.disconnect(ref, 'device deleted');
    await messaging.clearConfig(ref.registryId, ref.deviceId, prefix);
    const key = deviceKey(ref.accountId, ref.registryId, ref.deviceId);
    ctx.telemetry.forget(key);
    messaging.forget(key);
  }

  return {
    'gateways.listRegistries': ({ accountId }) => ({ registries: model.registries(accountId) }),
    'gateways.createRegistry': ({ accountId, registryId }, call) => {
      const registry = model.createRegistry(accountId, registryId);
      d.audit?.(call, 'gateways.createRegistry', `registry:${registryId}`, { accountId });
      d.changed(accountId);
      return registry;
    },
    'gateways.deleteRegistry': async ({ accountId, registryId, force }, call) => {
      const devices = model
        .devices(accountId, registryId)
        .map((x) => ({ accountId, registryId, deviceId: x.row.device_id }));
      const busy = devices.filter(online);
      if (busy.length > 0 && !force) {
        throw new ApiError(
          'CONFLICT',
          `${busy.length} device(s) of registry "${registryId}" are online (${busy
            .slice(0, 5)
            .map((b) => b.deviceId)
            .join(', ')}); confirm to disconnect and delete`,
          { online: busy.map((b) => b.deviceId) },
        );
      }
      const prefix = namespaceOf(ctx.repo.accountName(accountId)!);
      for (const ref of devices) await removeDevice(ref, prefix);
      model.deleteRegistry(accountId, registryId);
      d.audit?.(call, 'gateways.deleteRegistry', `registry:${registryId}`, { accountId, force });
      d.changed(accountId);
      return { ok: true as const };
    },
    'gateways.listDevices': ({ accountId, registryId }) => ({
      devices: model.devices(accountId, registryId).map(dtoOf),
    }),
    'gateways.getDevice': (ref) => {
      const device = toDto(ref);
      const key = deviceKey(ref.accountId, ref.registryId, ref.deviceId);
      const history = (kind: 'events' | 'states') =>
        ctx.telemetry.list(key, kind).map((item) => ({
          at: item.at,
          subfolder: item.subfolder,
          preview: previewOf(item.payload, item.size),
          numbers: numbersOf(item.payload),
        }));
      const row = model.requireDevice(ref);
      return {
        device,
        events: history('events'),
        states: history('states'),
        config: row.config_payload ? previewOf(row.config_payload) : null,
      };
    },
    'gateways.createDevice': (req, call) => {
      model.createDevice(req, req.kind, req.metadata, req.authMethod, req.keys);
      d.audit?.(call, 'gateways.createDevice', target(req), { accountId: req.accountId, kind: req.kind });
      d.changed(req.accountId);
      return toDto(req);
    },
    'gateways.updateDevice': (req, call) => {
      model.updateDevice(req, req);
      if (req.blocked === true) messaging.disconnect(req, 'device blocked');
      d.audit?.(call, 'gateways.updateDevice', target(req), {
        accountId: req.accountId,
        blocked: req.blocked,
        authMethod: req.authMethod,
      });
      d.changed(req.accountId);
      return toDto(req);
    },
    'gateways.deleteDevice': async (req, call) => {
      model.requireDevice(req);
      if (online(req) && !req.force) {
        throw new ApiError(
          'CONFLICT',
          `Device "${req.deviceId}" is connected or attached; confirm to disconnect and delete it`,
        );
      }
      await removeDevice(req, namespaceOf(ctx.repo.accountName(req.accountId)!));
      model.deleteDevice(req);
      d.audit?.(call, 'gateways.deleteDevice', target(req), { accountId: req.accountId, force: req.force });
      d.changed(req.accountId);
      return { ok: true as const };
    },
    'gateways.addKey': (req, call) => {
      const key = model.addKey(req, req.key.pem, req.key.expiresAt);
      d.audit?.(call, 'gateways.addKey', target(req), { accountId: req.accountId, keyId: key.id });
      d.changed(req.accountId);
      return key;
    },
    'gateways.removeKey': (req, call) => {
      model.removeKey(req, req.keyId);
      ctx.auth.forgetKey(req.keyId);
      d.audit?.(call, 'gateways.removeKey', target(req), { accountId: req.accountId, keyId: req.keyId });
      d.changed(req.accountId);
      return { ok: true as const };
    },
    'gateways.generateKey': (req, call) => {
      const generated = model.generateKey(req, req.algorithm, req.expiresAt);
      d.audit?.(call, 'gateways.generateKey', target(req), {
        accountId: req.accountId,
        keyId: generated.key.id,
      });
      d.changed(req.accountId);
      return generated;
    },
    'gateways.bind': ({ accountId, registryId, gatewayId, deviceId }, call) => {
      model.bind(accountId, registryId, gatewayId, deviceId);
      d.audit?.(call, 'gateways.bind', `gateway:${registryId}/${gatewayId}`, { accountId, deviceId });
      d.changed(accountId);
      return { ok: true as const };
    },
    'gateways.unbind': ({ accountId, registryId, gatewayId, deviceId }, call) => {
      model.unbind(accountId, registryId, gatewayId, deviceId);
      const gateway = ctx.live.connection(deviceKey(accountId, registryId, gatewayId));
      if (gateway) ctx.live.detach(gateway, deviceId);
      d.audit?.(call, 'gateways.unbind', `gateway:${registryId}/${gatewayId}`, { accountId, deviceId });
      d.changed(accountId);
      return { ok: true as const };
    },
    'gateways.updateConfig': async (req, call) => {
      model.requireDevice(req);
      const version = await messaging.updateConfig(req, decode(req.payload, req.encoding));
      d.audit?.(call, 'gateways.updateConfig', target(req), { accountId: req.accountId, version });
      return { version };
    },
    'gateways.sendCommand': async (req, call) => {
      model.requireDevice(req);
      const delivered = await messaging.sendCommand(req, decode(req.payload, req.encoding), req.subfolder);
      d.audit?.(call, 'gateways.sendCommand', target(req), {
        accountId: req.accountId,
        subfolder: req.subfolder,
      });
      return { delivered };
    },
    'gateways.disconnect': (req, call) => {
      model.requireDevice(req);
      const disconnected = messaging.disconnect(req, 'disconnected by the operator');
      d.audit?.(call, 'gateways.disconnect', target(req), { accountId: req.accountId });
      return { disconnected };
    },
    'gateways.errors': ({ accountId, limit }) => ({ errors: d.errors.list(accountId, limit) }),
  };
}
