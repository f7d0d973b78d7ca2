import { z } from 'zod';
import { event, method } from './define';

// Operator-API methods and events of the gateways capability: OmniCore / IoT Core-style registries,
// gateways and devices with JWT logins, bindings, config and commands.

export const deviceKindSchema = z.enum(['gateway', 'device']);
export type DeviceKind = z.infer<typeof deviceKindSchema>;

/** IoT Core's gateway auth methods: how a gateway proves it may attach a device. */
export const gatewayAuthMethodSchema = z.enum([
  'association-only',
  'device-token-only',
  'association-and-device-token',
]);
export type GatewayAuthMethod = z.infer<typeof gatewayAuthMethodSchema>;

export const keyAlgorithmSchema = z.enum(['RS256', 'ES256']);
export type KeyAlgorithm = z.infer<typeof keyAlgorithmSchema>;

const timestamp = z.number().int();
const accountId = z.string().min(1);
const registryId = z.string().min(1).max(128);
const deviceId = z.string().min(1).max(256);
const ok = z.object({ ok: z.literal(true) });
const deviceRef = z.object({ accountId, registryId, deviceId });
/** Payloads cross as text or base64 (binary config and commands). */
const payloadInput = {
  payload: z.string().max(1_400_000),
  encoding: z.enum(['utf8', 'base64']).default('utf8'),
};
const metadataSchema = z.record(z.string().max(128), z.string().max(32_768));

export const previewSchema = z.object({ text: z.string(), kind: z.enum(['text', 'hex']), size: z.number() });

export const deviceKeySchema = z.object({
  id: z.string(),
  algorithm: keyAlgorithmSchema,
  form: z.enum(['public-key', 'x509']),
  expiresAt: timestamp.nullable(),
  /** SHA-256 of the public key (SPKI DER), hex. */
  fingerprint: z.string(),
  createdAt: timestamp,
});
export type DeviceKey = z.infer<typeof deviceKeySchema>;

export const keyInputSchema = z.object({
  /** PEM public key (`BEGIN PUBLIC KEY`) or X.509 certificate (`BEGIN CERTIFICATE`), RSA or P-256. */
  pem: z.string().min(1).max(16_384),
  expiresAt: timestamp.nullable().optional(),
});

export const registrySchema = z.object({
  accountId: z.string(),
  registryId: z.string(),
  gatewayCount: z.number().int(),
  deviceCount: z.number().int(),
  createdAt: timestamp,
});
export type Registry = z.infer<typeof registrySchema>;

/** What changes while devices run; also pushed in `gateways.activity`. */
export const deviceLiveSchema = z.object({
  accountId: z.string(),
  registryId: z.string(),
  deviceId: z.string(),
  /** Connected directly with its own JWT. */
  connected: z.boolean(),
  /** Gateways it is attached through right now. */
  attachedTo: z.array(z.string()),
  lastEventAt: timestamp.nullable(),
  lastEvent: previewSchema.nullable(),
  lastStateAt: timestamp.nullable(),
  lastState: previewSchema.nullable(),
  configVersion: z.number().int(),
  configSentAt: timestamp.nullable(),
  configAckedVersion: z.number().int(),
});
export type DeviceLive = z.infer<typeof deviceLiveSchema>;

export const gatewayDeviceSchema = deviceLiveSchema.extend({
  kind: deviceKindSchema,
  blocked: z.boolean(),
  metadata: metadataSchema,
  /** Gateways only. */
  authMethod: gatewayAuthMethodSchema.nullable(),
  keys: z.array(deviceKeySchema),
  /** For a device: the gateways it is bound to; for a gateway: its bound devices. */
  bindings: z.array(z.string()),
  createdAt: timestamp,
});
export type GatewayDevice = z.infer<typeof gatewayDeviceSchema>;

export const historyEntrySchema = z.object({
  at: timestamp,
  subfolder: z.string().nullable(),
  preview: previewSchema,
  /** Numeric fields of a JSON object payload (for charts), or null. */
  numbers: z.record(z.string(), z.number()).nullable(),
});

export const gatewayErrorSchema = z.object({
  at: timestamp,
  accountId: z.string(),
  registryId: z.string(),
  gatewayId: z.string(),
  error_type: z.string(),
  description: z.string(),
  device_id: z.string(),
  mqtt_message_info: z.object({
    message_type: z.string(),
    topic: z.string(),
    packet_id: z.number().int(),
  }),
});
export type GatewayErrorEntry = z.infer<typeof gatewayErrorSchema>;

export const gatewaysMethods = {
  'gateways.listRegistries': method(
    z.object({ accountId }),
    z.object({ registries: z.array(registrySchema) }),
    'Registries of an account.',
  ),
  'gateways.createRegistry': method(
    z.object({ accountId, registryId }),
    registrySchema,
    'Creates a registry (id unique per account).',
  ),
  'gateways.deleteRegistry': method(
    z.object({ accountId, registryId, force: z.boolean().default(false) }),
    ok,
    'Deletes a registry and its devices; refused while any of them is online unless forced (which disconnects them).',
  ),
  'gateways.listDevices': method(
    z.object({ accountId, registryId }),
    z.object({ devices: z.array(gatewayDeviceSchema) }),
    'Gateways and devices of a registry with their live status.',
  ),
  'gateways.getDevice': method(
    deviceRef,
    z.object({
      device: gatewayDeviceSchema,
      events: z.array(historyEntrySchema),
      states: z.array(historyEntrySchema),
      config: previewSchema.nullable(),
    }),
    'One device with its recent events and states (newest last).',
  ),
  'gateways.createDevice': method(
    deviceRef.extend({
      kind: deviceKindSchema,
      metadata: metadataSchema.default({}),
      authMethod: gatewayAuthMethodSchema.optional(),
      keys: z.array(keyInputSchema).max(3).default([]),
    }),
    gatewayDeviceSchema,
    'Creates a gateway or a device (gateways default to association-only).',
  ),
  'gateways.updateDevice': method(
    deviceRef.extend({
      blocked: z.boolean().optional(),
      metadata: metadataSchema.optional(),
      authMethod: gatewayAuthMethodSchema.optional(),
    }),
    gatewayDeviceSchema,
    'Blocks or unblocks a device (blocking disconnects and detaches it), changes metadata or a gateway auth method.',
  ),
  'gateways.deleteDevice': method(
    deviceRef.extend({ force: z.boolean().default(false) }),
    ok,
    'Deletes a device; refused while it is connected or attached unless forced (which disconnects it).',
  ),
  'gateways.addKey': method(
    deviceRef.extend({ key: keyInputSchema }),
    deviceKeySchema,
    'Adds a public key (at most 3 per device).',
  ),
  'gateways.removeKey': method(deviceRef.extend({ keyId: z.string() }), ok, 'Removes a public key.'),
  'gateways.generateKey': method(
    deviceRef.extend({
      algorithm: keyAlgorithmSchema.default('ES256'),
      expiresAt: timestamp.nullable().optional(),
    }),
    z.object({ key: deviceKeySchema, privateKeyPem: z.string() }),
    'Generates a key pair, adds its public key to the device and returns the private key once (never stored).',
  ),
  'gateways.bind': method(
    z.object({ accountId, registryId, gatewayId: deviceId, deviceId }),
    ok,
    'Binds a device to a gateway of the same registry.',
  ),
  'gateways.unbind': method(
    z.object({ accountId, registryId, gatewayId: deviceId, deviceId }),
    ok,
    'Unbinds a device from a gateway (and detaches it if attached there).',
  ),
  'gateways.updateConfig': method(
    deviceRef.extend(payloadInput),
    z.object({ version: z.number().int() }),
    'Stores a new config version and sends it to the device if it is subscribed.',
  ),
  'gateways.sendCommand': method(
    deviceRef.extend({ ...payloadInput, subfolder: z.string().max(256).optional() }),
    z.object({ delivered: z.number().int() }),
    'Sends a command; fails when neither the device nor a gateway it is attached to subscribed to its commands.',
  ),
  'gateways.disconnect': method(
    deviceRef,
    z.object({ disconnected: z.number().int() }),
    'Disconnects a device (or gateway), or detaches it from its gateways.',
  ),
  'gateways.errors': method(
    z.object({ accountId: z.string().optional(), limit: z.number().int().min(1).max(1000).default(200) }),
    z.object({ errors: z.array(gatewayErrorSchema) }),
    'Recent messages sent to gateways on their errors topics, newest last.',
  ),
};

export const gatewaysEvents = {
  'gateways.changed': event(
    z.object({ revision: z.number().int(), at: timestamp, accountId: z.string() }),
    'latest',
    'Registries, devices, keys or bindings changed (refetch).',
  ),
  'gateways.activity': event(
    z.object({ at: timestamp, devices: z.array(deviceLiveSchema) }),
    'stream',
    'Live device changes (connections, attachments, events, state, config acks), batched.',
  ),
  'gateways.error': event(gatewayErrorSchema, 'stream', 'A message sent to a gateway on its errors topic.'),
};
