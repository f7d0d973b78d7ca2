import { z } from 'zod';
import { type EventSpec, event, type MethodSpec, method } from './define';
import { explorerFileMethods, exportFileName } from './explorer-files';

/*
 * Operator-API methods and events of the explorer capability.
 *
 * How a UI uses it (designed to stay smooth at 100,000 topics and 5,000 msg/s):
 * 1. `explorer.connections.list` + the `explorer.connections` event give every connection and its state;
 *    `local` (the embedded broker) is always present. External ones come from saved profiles
 *    (`explorer.profiles.*`) and are opened with `explorer.connections.open`.
 * 2. `explorer.view.open({connectionId})` creates a view (one per tree panel) and returns a `viewId`.
 *    While at least one view, packet subscription or capture exists on `local`, the broker tap is attached.
 *    Call `explorer.view.touch` every ~30 s; views untouched for 2 minutes are closed.
 * 3. `explorer.tree.children({connectionId, path, offset, limit, viewId})` pages the children of a node
 *    ('' is the root) and marks it expanded in that view; `explorer.view.expand({expanded:false})` collapses.
 * 4. `explorer.tree.delta` arrives about every 150 ms per view with changed nodes whose parent is expanded
 *    (or top-level) or that are pinned. Apply by `path`. Check `seq`: on a gap, or when `resync` is true,
 *    re-fetch the expanded nodes with `explorer.tree.children`.
 * 5. Selecting a topic: `explorer.history` (newest first, page with `before`), full bytes with
 *    `explorer.payload`, decoded views with `explorer.decode`, numbers for charts with `explorer.series`.
 * 6. Packets: `explorer.packets.subscribe` with server-side filters; batches arrive as `explorer.packets`.
 * Binary data always crosses as base64 strings. Times are epoch milliseconds.
 */

export const LOCAL_CONNECTION_ID = 'local';

const connectionId = z.string().min(1).max(100);
const topicName = z.string().min(1).max(65535);
const topicFilter = z.string().min(1).max(65535);
const qos = z.union([z.literal(0), z.literal(1), z.literal(2)]);
const base64 = z.string();
const id = z.string().min(1).max(100);

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
const secretInput = z.string().nullable().optional();

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

const publishPayloadSchema = z.object({
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

const empty = z.object({}).strict();
const ok = z.object({ ok: z.literal(true) });

export const explorerMethods = {
  // connections
  'explorer.connections.list': method(
    empty,
    z.object({ connections: z.array(connectionInfoSchema) }),
    'All connections (local first) and their state.',
  ),
  'explorer.connections.open': method(
    z.object({ profileId: id }),
    connectionInfoSchema,
    'Connects a saved profile; resolves once connected or throws UNAVAILABLE with a plain-language `details` (connection error).',
  ),
  'explorer.connections.close': method(z.object({ connectionId }), ok, 'Disconnects an external connection.'),
  'explorer.subscriptions.set': method(
    z.object({
      connectionId,
      subscriptions: z.array(subscriptionSchema),
      persist: z.boolean().default(true),
    }),
    connectionInfoSchema,
    'Replaces the subscription list of an external connection, (un)subscribing live when connected.',
  ),

  // profiles
  'explorer.profiles.list': method(
    empty,
    z.object({ profiles: z.array(profileSchema) }),
    'Saved profiles, without secrets.',
  ),
  'explorer.profiles.save': method(
    profileInputSchema,
    profileSchema,
    'Creates or updates a profile; secrets are encrypted at rest.',
  ),
  'explorer.profiles.delete': method(
    z.object({ profileId: id }),
    ok,
    'Deletes a profile (closing its connection).',
  ),
  'explorer.profiles.importUrl': method(
    z.object({ url: z.string().min(1).max(2000), name: z.string().max(200).optional() }),
    profileSchema,
    'Creates a profile from a URL such as `mqtts://user:pass@host:8883` (password stored encrypted).',
  ),
  'explorer.profiles.export': method(
    z.object({ profileIds: z.array(id).optional() }),
    z.object({ json: z.string() }),
    'Profiles as a JSON document without secrets.',
  ),

  // views and tree
  'explorer.view.open': method(
    z.object({ connectionId, filter: topicFilter.optional() }),
    z.object({ viewId: id }),
    'Starts watching a connection: deltas for this view begin (and the local tap attaches).',
  ),
  'explorer.view.update': method(
    z.object({ viewId: id, filter: topicFilter.nullable().optional(), paused: z.boolean().optional() }),
    ok,
    'Sets the topic-pattern filter (null clears) or pause. Unpausing or changing the filter sends a resync delta.',
  ),
  'explorer.view.expand': method(
    z.object({ viewId: id, path: z.string(), expanded: z.boolean() }),
    ok,
    'Marks a node (un)expanded in a view.',
  ),
  'explorer.view.touch': method(z.object({ viewId: id }), ok, 'Keeps a view alive.'),
  'explorer.view.close': method(z.object({ viewId: id }), ok, 'Stops a view.'),
  'explorer.tree.children': method(
    z.object({
      connectionId,
      path: z.string().default(''),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(2000).default(200),
      viewId: id.optional(),
      filter: topicFilter.optional(),
    }),
    z.object({ node: treeNodeSchema.nullable(), children: z.array(treeNodeSchema), total: z.number().int() }),
    'A page of children of `path` sorted by name (the view filter, if any, prunes non-matching branches).',
  ),
  'explorer.tree.find': method(
    z.object({
      connectionId,
      filter: topicFilter.optional(),
      search: z.string().max(1000).optional(),
      searchHistory: z.boolean().default(false),
      limit: z.number().int().min(1).max(5000).default(500),
    }),
    z.object({ topics: z.array(treeNodeSchema), truncated: z.boolean() }),
    'Topics matching a pattern and/or whose last value (or stored history when `searchHistory`) contains `search`.',
  ),
  'explorer.tree.clear': method(
    z.object({ connectionId }),
    ok,
    'Forgets the tree of a connection (history stays).',
  ),
  'explorer.pins.set': method(
    z.object({ connectionId, topic: topicName, pinned: z.boolean() }),
    ok,
    'Pins or unpins a topic.',
  ),
  'explorer.pins.list': method(
    z.object({ connectionId }),
    z.object({ topics: z.array(z.string()) }),
    'Pinned topics.',
  ),

  // messages
  'explorer.history': method(
    z.object({
      connectionId,
      topic: topicName,
      before: z.number().int().optional(),
      limit: z.number().int().min(1).max(1000).default(100),
    }),
    z.object({ messages: z.array(messageSchema), more: z.boolean() }),
    'Stored messages of a topic, newest first; `before` is a message id for the next page.',
  ),
  'explorer.payload': method(
    z.object({ id: z.number().int() }),
    z.object({ id: z.number().int(), payload: base64, size: z.number().int(), truncated: z.boolean() }),
    'The complete stored payload of a message.',
  ),
  'explorer.decode': method(
    z.object({ id: z.number().int().optional(), payload: base64.optional() }),
    decodedPayloadSchema,
    'Detects the payload format and decodes it in every applicable format.',
  ),
  'explorer.series': method(
    z.object({
      connectionId,
      topic: topicName,
      fields: z.array(z.string()).optional(),
      since: z.number().optional(),
      limit: z.number().int().min(1).max(10000).default(1000),
    }),
    z.object({
      times: z.array(z.number()),
      series: z.array(z.object({ field: z.string(), values: z.array(z.number().nullable()) })),
    }),
    'Numeric values over time from history, oldest first: the payload if numeric ("$"), or JSON paths like `$.a.b[0]`.',
  ),

  // publishing
  'explorer.publish': method(publishRequestSchema, ok, 'Publishes a message on a connection.'),
  'explorer.republish': method(
    z.object({ id: z.number().int(), connectionId: connectionId.optional() }),
    ok,
    'Publishes a stored message again (on its own connection unless given).',
  ),
  'explorer.templates.list': method(
    empty,
    z.object({ templates: z.array(templateSchema) }),
    'Saved publish templates.',
  ),
  'explorer.templates.save': method(
    templateSchema.omit({ id: true, createdAt: true, updatedAt: true }).extend({ id: id.optional() }),
    templateSchema,
    'Creates or updates a publish template.',
  ),
  'explorer.templates.delete': method(z.object({ id }), ok, 'Deletes a template.'),

  // retained
  'explorer.retained.clear': method(
    z.object({ connectionId, topic: topicName, account: z.string().optional() }),
    ok,
    'Clears the retained message of one topic.',
  ),
  'explorer.retained.clearSubtree': method(
    z.object({
      connectionId,
      filter: topicFilter,
      account: z.string().optional(),
      dryRun: z.boolean().default(true),
      /** External brokers: how long to collect retained messages. */
      collectMs: z.number().int().min(100).max(30000).default(1500),
    }),
    z.object({ topics: z.array(z.string()), cleared: z.number().int(), dryRun: z.boolean() }),
    'Lists (dry run) or clears the retained messages matching a filter.',
  ),

  // packets
  'explorer.packets.subscribe': method(
    z.object({ connectionId, filter: packetFilterSchema.default({}) }),
    z.object({ subscriptionId: id }),
    'Starts `explorer.packets` batches of packets matching the filter.',
  ),
  'explorer.packets.update': method(
    z.object({ subscriptionId: id, filter: packetFilterSchema }),
    ok,
    'Changes the filter.',
  ),
  'explorer.packets.unsubscribe': method(
    z.object({ subscriptionId: id }),
    ok,
    'Stops a packet subscription.',
  ),
  'explorer.packets.timeline': method(
    z.object({ connectionId, clientId: z.string(), limit: z.number().int().min(1).max(5000).default(500) }),
    z.object({ entries: z.array(timelineEntrySchema), truncated: z.boolean() }),
    "A client's recent history (connect result, subscriptions, publishes, disconnect cause), oldest first, from a bounded ring.",
  ),

  // capture / export / replay
  'explorer.capture.start': method(
    z.object({
      connectionId,
      /** A `.jsonl` name in the exports folder; default generated. */
      file: exportFileName.optional(),
      redactPayloads: z.boolean().default(false),
      redactCredentials: z.boolean().default(true),
      includePackets: z.boolean().default(true),
    }),
    captureInfoSchema,
    'Starts writing messages (and packets) to a new JSON-lines file in the exports folder (a `.jsonl` name; default generated). Never overwrites (CONFLICT).',
  ),
  'explorer.capture.stop': method(z.object({ captureId: id }), captureInfoSchema, 'Stops a capture.'),
  'explorer.capture.list': method(
    empty,
    z.object({ captures: z.array(captureInfoSchema) }),
    'Captures of this session.',
  ),
  'explorer.capture.open': method(
    z.object({
      file: exportFileName,
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(5000).default(500),
    }),
    z.object({
      header: z.record(z.string(), z.unknown()).nullable(),
      messages: z.array(
        z.object({
          time: z.number(),
          topic: z.string(),
          account: z.string().optional(),
          qos,
          retain: z.boolean(),
          size: z.number().int(),
          payload: base64.nullable(),
          properties: mqttPropertiesSchema.optional(),
        }),
      ),
      totalMessages: z.number().int(),
      packets: z.number().int(),
    }),
    'Reads a capture file (a `.jsonl` name) from the exports folder.',
  ),
  'explorer.export': method(
    z.object({
      connectionId,
      topic: topicFilter.default('#'),
      format: z.enum(['csv', 'json']),
      /** A `.csv` or `.json` name (matching `format`) in the exports folder. */
      file: exportFileName,
      overwrite: z.boolean().default(false),
      since: z.number().optional(),
      limit: z.number().int().min(1).max(1000000).default(100000),
    }),
    z.object({ file: z.string(), count: z.number().int() }),
    'Exports stored messages matching a topic filter to a CSV or JSON file in the exports folder; an existing file is a CONFLICT unless `overwrite`. CSV cells that would run as spreadsheet formulas are escaped.',
  ),
  'explorer.replay.start': method(
    z.object({
      /** A `.jsonl` capture in the exports folder. */
      file: exportFileName,
      connectionId,
      /** 1 = original timing, 10 = ten times faster, 0 = as fast as possible. */
      speed: z.number().min(0).max(1000).default(1),
      topicPrefix: z.string().optional(),
    }),
    z.object({ replayId: id, total: z.number().int() }),
    'Publishes the messages of a capture into a connection; progress arrives as `explorer.replay.progress`.',
  ),
  'explorer.replay.stop': method(z.object({ replayId: id }), ok, 'Stops a replay.'),
  ...explorerFileMethods,
} satisfies Record<string, MethodSpec>;

export const explorerEvents = {
  'explorer.connections': event(
    z.object({ connections: z.array(connectionInfoSchema) }),
    'latest',
    'All connections whenever one changes state.',
  ),
  'explorer.tree.delta': event(
    treeDeltaSchema,
    'stream',
    'Batched tree changes of one view, about every 150 ms.',
  ),
  'explorer.packets': event(
    z.object({
      subscriptionId: id,
      connectionId,
      packets: z.array(packetRecordSchema),
      dropped: z.number().int(),
    }),
    'stream',
    'Batched packets of one packet subscription (at most 500 per batch; `dropped` counts the excess).',
  ),
  'explorer.replay.progress': event(replayProgressSchema, 'latest', 'Replay progress, a few times a second.'),
  'explorer.capture.status': event(captureInfoSchema, 'latest', 'Capture counters, about once a second.'),
} satisfies Record<string, EventSpec>;
