import { ApiError } from '../../api/api-error';
import { decodePayload } from '../decoders';
import type { ExplorerService } from '../explorer-service';
import { LOCAL } from '../explorer-service';
import { toMessageDto } from '../history/history-queries';
import { payloadBytes, propertiesFromJson } from '../publish-payload';
import { buildSeries } from '../series';
import { accountPrefix, splitAccount } from '../topic-match';
import { type HandlerGroup, ok, publishOn, requireConnection } from './shared';

type MessageMethods =
  | 'explorer.history'
  | 'explorer.payload'
  | 'explorer.decode'
  | 'explorer.series'
  | 'explorer.publish'
  | 'explorer.republish'
  | 'explorer.templates.'
  | 'explorer.retained.';

/** Stored messages, decoding, charts, publishing, templates and retained-message clearing. */
export function messageHandlers(s: ExplorerService): HandlerGroup<MessageMethods> {
  const retainedTopics = async (
    connectionId: string,
    filter: string,
    account: string | undefined,
    waitMs: number,
  ) => {
    requireConnection(s, connectionId);
    if (connectionId === LOCAL && s.local) return s.local.retainedTopics(filter, account);
    const conn = s.external.get(connectionId);
    if (!conn) return [];
    return conn.collectRetained(accountPrefix(account) + filter, waitMs);
  };

  const clearRetained = async (connectionId: string, internalTopic: string) => {
    const { account, displayTopic } = splitAccount(internalTopic);
    await publishOn(s, connectionId, displayTopic, account, Buffer.alloc(0), { qos: 1, retain: true });
    s.existingTree(connectionId)?.setRetained(internalTopic, false);
  };

  return {
    'explorer.history': ({ connectionId, topic, before, limit }) => {
      s.history.flush();
      const rows = s.queries.page(connectionId, topic, before, limit + 1);
      return { messages: rows.slice(0, limit).map(toMessageDto), more: rows.length > limit };
    },
    'explorer.payload': ({ id }) => {
      s.history.flush();
      const row = s.queries.byId(id);
      if (!row) throw new ApiError('NOT_FOUND', `No stored message ${id} (it may have been pruned)`);
      return { id, payload: row.payload.toString('base64'), size: row.size, truncated: row.truncated === 1 };
    },
    'explorer.decode': ({ id, payload }) => {
      if (id !== undefined) {
        s.history.flush();
        const row = s.queries.byId(id);
        if (!row) throw new ApiError('NOT_FOUND', `No stored message ${id}`);
        return decodePayload(row.payload, splitAccount(row.topic).displayTopic);
      }
      if (payload === undefined) throw new ApiError('BAD_REQUEST', 'Give a message id or a payload');
      return decodePayload(Buffer.from(payload, 'base64'));
    },
    'explorer.series': ({ connectionId, topic, fields, since, limit }) => {
      s.history.flush();
      return buildSeries(s.queries.recent(connectionId, topic, since, limit), fields);
    },

    'explorer.publish': async ({ connectionId, topic, account, payload, qos, retain, properties }) => {
      let bytes: Buffer;
      try {
        bytes = payloadBytes(payload as { encoding: 'text' | 'base64' | 'json'; data?: unknown });
      } catch (err) {
        throw new ApiError('BAD_REQUEST', (err as Error).message);
      }
      const props = propertiesFromJson(properties);
      await publishOn(s, connectionId, topic, account, bytes, {
        qos,
        retain,
        ...(props ? { properties: props } : {}),
      });
      return ok;
    },
    'explorer.republish': async ({ id, connectionId }) => {
      s.history.flush();
      const row = s.queries.byId(id);
      if (!row) throw new ApiError('NOT_FOUND', `No stored message ${id}`);
      if (row.truncated === 1)
        throw new ApiError('CONFLICT', 'The stored payload is truncated; it cannot be re-published as is');
      const { account, displayTopic } = splitAccount(row.topic);
      const props = row.properties ? propertiesFromJson(JSON.parse(row.properties)) : undefined;
      await publishOn(s, connectionId ?? row.connection_id, displayTopic, account, row.payload, {
        qos: row.qos as 0 | 1 | 2,
        retain: row.retain === 1,
        ...(props ? { properties: props } : {}),
      });
      return ok;
    },
    'explorer.templates.list': () => ({ templates: s.templates.list() }),
    'explorer.templates.save': (input) => s.templates.save(input),
    'explorer.templates.delete': ({ id }) => {
      if (!s.templates.delete(id)) throw new ApiError('NOT_FOUND', `No template "${id}"`);
      return ok;
    },

    'explorer.retained.clear': async ({ connectionId, topic, account }) => {
      await clearRetained(connectionId, accountPrefix(account) + topic);
      return ok;
    },
    'explorer.retained.clearSubtree': async ({ connectionId, filter, account, dryRun, collectMs }) => {
      let topics: string[];
      try {
        topics = await retainedTopics(connectionId, filter, account, collectMs);
      } catch (err) {
        if (err instanceof ApiError) throw err;
        throw new ApiError('UNAVAILABLE', `Could not list retained messages: ${(err as Error).message}`);
      }
      if (!dryRun) for (const topic of topics) await clearRetained(connectionId, topic);
      return { topics, cleared: dryRun ? 0 : topics.length, dryRun };
    },
  };
}
