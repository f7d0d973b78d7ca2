import { z } from 'zod';
import { event, method } from './define';

// Operator-API methods and events of the broker capability.

export const principalSchema = z.object({
  kind: z.enum(['device', 'gateway', 'api-key', 'operator', 'anonymous']),
  accountId: z.string().nullable(),
  accountName: z.string().optional(),
  username: z.string().optional(),
  topicPrefix: z.string(),
});

export const brokerClientSchema = z.object({
  clientId: z.string(),
  protocolVersion: z.union([z.literal(3), z.literal(4), z.literal(5)]),
  listenerId: z.string(),
  listenerKind: z.string(),
  remoteAddress: z.string(),
  keepAlive: z.number().int(),
  cleanSession: z.boolean(),
  subscriptions: z.number().int(),
  queued: z.number().int(),
  inflight: z.number().int(),
  bytesIn: z.number(),
  bytesOut: z.number(),
  messagesIn: z.number(),
  messagesOut: z.number(),
  droppedMessages: z.number(),
  connectedAt: z.number(),
  principal: principalSchema,
});
export type BrokerClient = z.infer<typeof brokerClientSchema>;

export const brokerStatsSchema = z.object({
  startedAt: z.number(),
  uptimeSeconds: z.number(),
  clientsConnected: z.number().int(),
  sessions: z.number().int(),
  subscriptions: z.number().int(),
  retained: z.number().int(),
  messagesIn: z.number(),
  messagesOut: z.number(),
  bytesIn: z.number(),
  bytesOut: z.number(),
  messagesDropped: z.number(),
  connectionsTotal: z.number(),
  connectsRefused: z.number(),
  rates: z.object({
    messagesIn: z.number(),
    messagesOut: z.number(),
    bytesIn: z.number(),
    bytesOut: z.number(),
    connects: z.number(),
  }),
});
export type BrokerStatsDto = z.infer<typeof brokerStatsSchema>;

export const brokerSessionSchema = z.object({
  clientId: z.string(),
  topicPrefix: z.string(),
  accountId: z.string().nullable(),
  connected: z.boolean(),
  persistent: z.boolean(),
  expiryIntervalSeconds: z.number(),
  disconnectedAt: z.number().nullable(),
  subscriptions: z.array(z.object({ filter: z.string(), qos: z.number().int() })),
  queued: z.number().int(),
  inflight: z.number().int(),
  droppedMessages: z.number(),
});
export type BrokerSession = z.infer<typeof brokerSessionSchema>;

export const retainedMessageSchema = z.object({
  topic: z.string(),
  qos: z.number().int(),
  size: z.number().int(),
  storedAt: z.number(),
  /** The first bytes of the payload, base64. */
  payloadPreview: z.string(),
  truncated: z.boolean(),
  contentType: z.string().optional(),
});
export type RetainedMessage = z.infer<typeof retainedMessageSchema>;

const clientKey = {
  clientId: z.string().min(1),
  /** Account namespace prefix of the client ('' for the root namespace). */
  topicPrefix: z.string().default(''),
};

export const brokerMethods = {
  'broker.listClients': method(
    z
      .object({ accountId: z.string().optional(), limit: z.number().int().min(1).max(50_000).default(1000) })
      .strict(),
    z.object({ clients: z.array(brokerClientSchema), total: z.number().int() }),
    'Connected MQTT clients, optionally of one account.',
  ),
  'broker.disconnectClient': method(
    z
      .object({
        ...clientKey,
        reasonCode: z.number().int().min(0x80).max(0xff).default(0x98),
        reasonString: z.string().max(200).optional(),
      })
      .strict(),
    z.object({ disconnected: z.boolean() }),
    'Closes one client connection (MQTT 5 clients get a DISCONNECT with the reason).',
  ),
  'broker.stats': method(
    z.object({}).strict(),
    brokerStatsSchema,
    'Broker counters and per-second rates now.',
  ),
  'broker.listSessions': method(
    z
      .object({ accountId: z.string().optional(), limit: z.number().int().min(1).max(50_000).default(1000) })
      .strict(),
    z.object({ sessions: z.array(brokerSessionSchema), total: z.number().int() }),
    'Sessions (connected and offline persistent ones) with subscriptions and queue depth.',
  ),
  'broker.listRetained': method(
    z
      .object({
        /** Topic filter in the internal topic space (account topics start with their prefix). */
        filter: z.string().optional(),
        limit: z.number().int().min(1).max(10_000).default(500),
        previewBytes: z.number().int().min(0).max(4096).default(256),
      })
      .strict(),
    z.object({ messages: z.array(retainedMessageSchema), total: z.number().int() }),
    'Retained messages, optionally matching a topic filter.',
  ),
  'broker.clearRetained': method(
    z.object({ topic: z.string().min(1) }).strict(),
    z.object({ cleared: z.boolean() }),
    'Removes the retained message of one (internal) topic.',
  ),
};

export const brokerClientChangeSchema = z.object({
  change: z.enum(['connected', 'disconnected']),
  clientId: z.string(),
  accountId: z.string().nullable(),
  listenerId: z.string(),
  remoteAddress: z.string(),
  cause: z.string().optional(),
  reasonCode: z.number().int().optional(),
  time: z.number(),
});
export type BrokerClientChange = z.infer<typeof brokerClientChangeSchema>;

export const brokerEvents = {
  'broker.stats': event(brokerStatsSchema, 'latest', 'Broker counters and rates, about once a second.'),
  'broker.clients': event(brokerClientChangeSchema, 'stream', 'A client connected or disconnected.'),
};
