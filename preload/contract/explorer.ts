import { z } from 'zod';
import { type EventSpec, event, type MethodSpec, method } from './define';
import { explorerFileMethods, exportFileName } from './explorer-files';
import {
  base64,
  captureInfoSchema,
  connectionId,
  connectionInfoSchema,
  decodedPayloadSchema,
  id,
  messageSchema,
  mqttPropertiesSchema,
  packetFilterSchema,
  packetRecordSchema,
  profileInputSchema,
  profileSchema,
  publishRequestSchema,
  qos,
  replayProgressSchema,
  subscriptionSchema,
  templateSchema,
  timelineEntrySchema,
  topicFilter,
  topicName,
  treeDeltaSchema,
  treeNodeSchema,
} from './explorer-schemas';

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

export * from './explorer-schemas';

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
