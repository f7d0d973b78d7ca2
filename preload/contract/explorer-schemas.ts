import { z } from 'zod';

// The explorer's data shapes; its methods and events are in explorer.ts.

export const LOCAL_CONNECTION_ID = 'local';

export const connectionId = z.string().min(1).max(100);
export const topicName = z.string().min(1).max(65535);
export const topicFilter = z.string().min(1).max(65535);
export const qos = z.union([z.literal(0), z.literal(1), z.literal(2)]);
export const base64 = z.string();
export const id = z.string().min(1).max(100);

/** MQTT 5 properties as plain JSON (binary values such as correlationData are base64). */
export const mqttPropertiesSchema = z.record(z.string(), z.unknown());
export type MqttProperties = z.infer<typeof mqttPropertiesSchema>;

// ---------- connections and profiles ----------

export const protocolSchema = z.enum(['mqtt', 'mqtts', 'ws', 'wss']);
export const subscriptionSchema = z.object({ filter: topicFilter, qos: qos.default(0) });
export type ExplorerSubscription = z.infer<typeof subscriptionSchema>;

/** A connection profile as stored, secrets omitted (only whether they are set). */
export const profileSchema = z.object({
  id,
  name: z.string().min(1).max(200),
  protocol: protocolSchema,
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65535),
  /** Path for ws/wss, e.g. `/mqtt`. */
  path: z.string().max(500).optional(),
  mqttVersion: z.union([z.literal(4), z.literal(5)]),
  clientId: z.string().max(65535).optional(),
  username: z.string().max(65535).optional(),
  keepAliveSeconds: z.number().int().min(0).max(65535),
  cleanStart: z.boolean(),
  /** PEM text. When absent the system trust store is used. */
  caPem: z.string().optional(),
  certPem: z.string().optional(),
  /** TLS server name indication; defaults to the host. */
  servername: z.string().max(255).optional(),
  alpn: z.array(z.string().max(255)).optional(),
  /** Only for lab use: accept any server certificate. */
  insecureSkipVerify: z.boolean(),
  subscriptions: z.array(subscriptionSchema),
  hasPassword: z.boolean(),
  hasKey: z.boolean(),
  hasPassphrase: z.boolean(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type ExplorerProfile = z.infer<typeof profileSchema>;

/** Secrets in a save request: a string sets, `null` clears, absent keeps the stored value. */
export const secretInput = z.string().nullable().optional();

export const profileInputSchema = z.object({
  id: id.optional(),
  name: z.string().min(1).max(200),
  protocol: protocolSchema.default('mqtt'),
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65535).optional(),
  path: z.string().max(500).optional(),
  mqttVersion: z.union([z.literal(4), z.literal(5)]).default(5),
  clientId: z.string().max(65535).optional(),
  username: z.string().max(65535).optional(),
  keepAliveSeconds: z.number().int().min(0).max(65535).default(60),
  cleanStart: z.boolean().default(true),
  caPem: z.string().optional(),
  certPem: z.string().optional(),
  servername: z.string().max(255).optional(),
  alpn: z.array(z.string().max(255)).optional(),
  insecureSkipVerify: z.boolean().default(false),
  subscriptions: z.array(subscriptionSchema).default([{ filter: '#', qos: 0 }]),
  password: secretInput,
  /** PEM private key, possibly encrypted (then give `passphrase`). */
  keyPem: secretInput,
  passphrase: secretInput,
});
export type ExplorerProfileInput = z.input<typeof profileInputSchema>;

export const connectionStateSchema = z.enum([
  'idle',
  'connecting',
  'connected',
  'reconnecting',
  'error',
  'closed',
]);

export const connectionErrorSchema = z.object({
  /** Stable kind the UI may branch on. */
  kind: z.enum(['dns', 'refused', 'timeout', 'tls', 'connack', 'network', 'protocol', 'other']),
  /** One or two plain-language sentences. */
  message: z.string(),
  /** Underlying error code (ENOTFOUND, CERT_HAS_EXPIRED, CONNACK reason 135 …). */
  code: z.string().optional(),
  /** The server's certificate chain, leaf first, for TLS failures. */
  serverChain: z
    .array(
      z.object({
        subject: z.string(),
        issuer: z.string(),
        validFrom: z.string(),
        validTo: z.string(),
        fingerprint256: z.string(),
        subjectAltName: z.string().optional(),
      }),
    )
    .optional(),
});
export type ExplorerConnectionError = z.infer<typeof connectionErrorSchema>;

export const connectionInfoSchema = z.object({
  id: connectionId,
  name: z.string(),
  kind: z.enum(['local', 'external']),
  state: connectionStateSchema,
  error: connectionErrorSchema.optional(),
  subscriptions: z.array(subscriptionSchema),
  /** Messages seen since the connection was opened. */
  messages: z.number(),
  topics: z.number(),
  /** Messages the explorer did not record because they arrived faster than its budget (local broker). */
  dropped: z.number().int().optional(),
});
export type ExplorerConnectionInfo = z.infer<typeof connectionInfoSchema>;

// ---------- tree ----------

/** One topic-tree node as the UI shows it. `path` is the node's key; tenant topics are grouped by account. */
export const treeNodeSchema = z.object({
  /** Internal full path: `a/b/c`, or `$a/acme/a/b` for account `acme`. */
  path: z.string(),
  /** Parent path; '' for top-level nodes. */
  parent: z.string(),
  /** Label of this level (the account name for an account group node). */
  name: z.string(),
  /** Topic as its account's clients see it (prefix stripped). '' for an account group node. */
  displayTopic: z.string(),
  account: z.string().optional(),
  isAccountGroup: z.boolean(),
  /** Messages published exactly on this topic. */
  messages: z.number(),
  /** Messages per second published exactly on this topic (1 s window). */
  ownRate: z.number(),
  /** Messages per second on this topic and below (1 s window). */
  rate: z.number(),
  /** Messages on this topic and below. */
  subtreeMessages: z.number(),
  /** Distinct topics with messages at this node and below. */
  subtreeTopics: z.number(),
  childCount: z.number(),
  lastTime: z.number().optional(),
  /** First ~120 bytes of the last value: text when printable, otherwise hex. */
  preview: z.string().optional(),
  previewKind: z.enum(['text', 'hex']).optional(),
  lastSize: z.number().optional(),
  retained: z.boolean(),
  pinned: z.boolean(),
});
export type ExplorerTreeNode = z.infer<typeof treeNodeSchema>;

export const treeDeltaSchema = z.object({
  viewId: id,
  connectionId,
  /** Per view, +1 per delta. A gap means deltas were dropped: re-fetch expanded nodes. */
  seq: z.number().int(),
  time: z.number(),
  /** True after unpause, filter change or overflow: re-fetch expanded nodes instead of applying. */
  resync: z.boolean(),
  /** Changed or new nodes (at most 500). More pending ones follow in the next deltas. */
  nodes: z.array(treeNodeSchema),
  /** Paths removed since the last delta (reserved: clearing a tree currently sends `resync` instead). */
  removed: z.array(z.string()),
  totals: z.object({ topics: z.number(), messages: z.number(), rate: z.number() }),
});
export type ExplorerTreeDelta = z.infer<typeof treeDeltaSchema>;

// ---------- messages ----------

export const messageSchema = z.object({
  id: z.number().int(),
  connectionId,
  topic: z.string(),
  displayTopic: z.string(),
  account: z.string().optional(),
  time: z.number(),
  qos,
  retain: z.boolean(),
  /** Real payload size in bytes. */
  size: z.number().int(),
  /** True when larger than the stored maximum: only the first `storedSize` bytes are kept. */
  truncated: z.boolean(),
  storedSize: z.number().int(),
  /** Whole stored payload when it is at most 16 KiB, else null (fetch with `explorer.payload`). */
  payload: base64.nullable(),
  preview: z.string(),
  previewKind: z.enum(['text', 'hex']),
  properties: mqttPropertiesSchema.optional(),
  clientId: z.string().optional(),
});
export type ExplorerMessage = z.infer<typeof messageSchema>;

export const payloadFormats = ['json', 'text', 'hex', 'base64', 'kura', 'sparkplugb', 'cbor'] as const;
export const payloadFormatSchema = z.enum(payloadFormats);
export type PayloadFormat = z.infer<typeof payloadFormatSchema>;

export const decodedPayloadSchema = z.object({
  detected: payloadFormatSchema,
  views: z.record(
    z.string(),
    z.union([
      z.object({ ok: z.literal(true), value: z.unknown() }),
      z.object({ ok: z.literal(false), error: z.string() }),
    ]),
  ),
});
export type DecodedPayload = z.infer<typeof decodedPayloadSchema>;

export const publishPayloadSchema = z.object({
  encoding: z.enum(['text', 'base64', 'json']),
  /** Text as is; base64 bytes; or a JSON document (serialized compactly). */
  data: z.unknown(),
});

export const publishRequestSchema = z.object({
  connectionId,
  topic: topicName,
  /** For `local`: publish into this tenant account's namespace. */
  account: z.string().optional(),
  payload: publishPayloadSchema,
  qos: qos.default(0),
  retain: z.boolean().default(false),
  properties: mqttPropertiesSchema.optional(),
});

export const templateSchema = z.object({
  id,
  name: z.string().min(1).max(200),
  topic: topicName,
  account: z.string().optional(),
  payload: publishPayloadSchema,
  qos,
  retain: z.boolean(),
  properties: mqttPropertiesSchema.optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type ExplorerTemplate = z.infer<typeof templateSchema>;

// ---------- packets ----------

export const packetTypes = [
  'connect',
  'connack',
  'publish',
  'puback',
  'pubrec',
  'pubrel',
  'pubcomp',
  'subscribe',
  'suback',
  'unsubscribe',
  'unsuback',
  'pingreq',
  'pingresp',
  'disconnect',
  'auth',
  /** Not an MQTT packet: the broker ended the connection without a client DISCONNECT (see `reason`). */
  'closed',
] as const;
export const packetTypeSchema = z.enum(packetTypes);

export const packetRecordSchema = z.object({
  seq: z.number().int(),
  time: z.number(),
  /** `in` = received by the broker (local) or by our client (external). */
  direction: z.enum(['in', 'out']),
  clientId: z.string(),
  account: z.string().optional(),
  listenerId: z.string().optional(),
  remoteAddress: z.string().optional(),
  type: z.string(),
  topic: z.string().optional(),
  qos: z.number().int().optional(),
  retain: z.boolean().optional(),
  size: z.number().int(),
  packetId: z.number().int().optional(),
  reasonCode: z.number().int().optional(),
  /** SUBACK/UNSUBACK/SUBSCRIBE: per-filter codes and filters. */
  reasonCodes: z.array(z.number().int()).optional(),
  filters: z.array(z.string()).optional(),
  /** Plain-language meaning of `reasonCode` when it is a failure. */
  reason: z.string().optional(),
});
export type ExplorerPacket = z.infer<typeof packetRecordSchema>;

export const packetFilterSchema = z.object({
  clientId: z.string().optional(),
  topic: topicFilter.optional(),
  types: z.array(packetTypeSchema).optional(),
  direction: z.enum(['in', 'out']).optional(),
});

export const timelineEntrySchema = z.object({
  time: z.number(),
  kind: z.enum([
    'connect',
    'connack',
    'subscribe',
    'suback',
    'unsubscribe',
    'publish',
    'disconnect',
    'other',
  ]),
  direction: z.enum(['in', 'out']),
  summary: z.string(),
  packet: packetRecordSchema,
});

// ---------- capture / replay ----------

export const captureInfoSchema = z.object({
  captureId: id,
  connectionId,
  /** The capture's name in the exports folder. */
  file: z.string(),
  startedAt: z.number(),
  messages: z.number().int(),
  packets: z.number().int(),
  bytes: z.number().int(),
  redactPayloads: z.boolean(),
  redactCredentials: z.boolean(),
  active: z.boolean(),
});

export const replayProgressSchema = z.object({
  replayId: id,
  connectionId,
  sent: z.number().int(),
  total: z.number().int(),
  done: z.boolean(),
  error: z.string().optional(),
});
