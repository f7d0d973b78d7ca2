import { z } from 'zod';
import { event, method } from './define';

export const listenerKinds = ['mqtt', 'mqtts', 'mqtts-mutual', 'ws', 'wss'] as const;
export const listenerKindSchema = z.enum(listenerKinds);

/** `scheme://host[:port]` as a browser sends it in `Origin`, or `*`. */
const browserOrigin = z
  .string()
  .max(255)
  .regex(
    /^(\*|[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/]+)$/,
    'an origin such as https://dashboard.example:8443, or *',
  );

const listenerOptionsSchema = z
  .object({
    maxConnections: z.number().int().min(0).optional(),
    minTlsVersion: z.enum(['TLSv1.2', 'TLSv1.3']).optional(),
    alpnProtocols: z.array(z.string().min(1).max(255)).optional(),
    requireSni: z.boolean().optional(),
    wsPath: z.string().startsWith('/').max(200).optional(),
    /** WebSocket listeners: browser origins allowed besides Fieldbench's own UI (`*` = any). */
    allowedOrigins: z.array(browserOrigin).max(100).optional(),
  })
  .strict();

export const listenerStatusSchema = z.object({
  id: z.string(),
  kind: listenerKindSchema,
  host: z.string(),
  port: z.number().int(),
  enabled: z.boolean(),
  /** From command-line flags for this run only; not saved. */
  ephemeral: z.boolean(),
  state: z.enum(['stopped', 'starting', 'running', 'error']),
  error: z.string().optional(),
  boundPort: z.number().int().nullable(),
  connectedClients: z.number().int(),
  refusedConnections: z.number().int(),
  totalConnections: z.number().int(),
  bytesIn: z.number(),
  bytesOut: z.number(),
  /** One line about the certificate in use, for TLS listeners. */
  tlsSummary: z.string().optional(),
  options: z.object({
    maxConnections: z.number().int(),
    minTlsVersion: z.string(),
    alpnProtocols: z.array(z.string()),
    requireSni: z.boolean(),
    wsPath: z.string(),
    allowedOrigins: z.array(z.string()),
  }),
});
export type ListenerStatusDto = z.infer<typeof listenerStatusSchema>;

export const handshakeFailureSchema = z.object({
  time: z.string(),
  listenerId: z.string(),
  listenerKind: listenerKindSchema,
  remoteAddress: z.string(),
  reason: z.string(),
  message: z.string(),
  detail: z.string(),
});

const port = z.number().int().min(0).max(65535);
const host = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9.:_-]+$/, 'an IP address or host name');

export const listenerMethods = {
  'listeners.list': method(
    z.object({}).strict(),
    z.object({ listeners: z.array(listenerStatusSchema) }),
    'All listeners.',
  ),
  'listeners.create': method(
    z
      .object({
        kind: listenerKindSchema,
        host: host.default('0.0.0.0'),
        port,
        enabled: z.boolean().default(true),
        options: listenerOptionsSchema.optional(),
      })
      .strict(),
    listenerStatusSchema,
    'Adds a listener and starts it when enabled.',
  ),
  'listeners.update': method(
    z
      .object({
        id: z.string().min(1),
        host: host.optional(),
        port: port.optional(),
        enabled: z.boolean().optional(),
        options: listenerOptionsSchema.optional(),
      })
      .strict(),
    listenerStatusSchema,
    "Changes a listener; only that listener's clients reconnect.",
  ),
  'listeners.remove': method(
    z.object({ id: z.string().min(1) }).strict(),
    z.object({ removed: z.boolean() }),
    'Stops and deletes a listener.',
  ),
  'listeners.start': method(
    z.object({ id: z.string().min(1) }).strict(),
    listenerStatusSchema,
    'Starts a stopped listener.',
  ),
  'listeners.stop': method(
    z.object({ id: z.string().min(1) }).strict(),
    listenerStatusSchema,
    'Stops a listener and disconnects its clients only.',
  ),
  'listeners.handshakeFailures': method(
    z.object({ listenerId: z.string().optional() }).strict(),
    z.object({ failures: z.array(handshakeFailureSchema) }),
    'Recent failed TLS handshakes with a plain-language reason, newest first.',
  ),
};

export const listenerEvents = {
  'listeners.changed': event(
    z.object({ listeners: z.array(listenerStatusSchema) }),
    'latest',
    'Listener states and counters, on change and about every two seconds.',
  ),
  'listeners.handshakeFailure': event(handshakeFailureSchema, 'stream', 'A TLS handshake failed.'),
};
