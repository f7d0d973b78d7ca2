import fs from 'node:fs';
import path from 'node:path';
import type {
  ExplorerConnectionError,
  ExplorerTreeNode,
  explorerMethods,
} from '../../preload/contract/explorer';
import { ApiError } from '../api/api-error';
import type { HandlersFor } from '../api/handlers';
import { openCapture } from './capture/capture-reader';
import { exportMessages } from './capture/export-messages';
import { Replay } from './capture/replay';
import { exportProfiles, profileFromUrl } from './connections/profile-url';
import { decodePayload } from './decoders';
import { captureInfo, type ExplorerService, LOCAL } from './explorer-service';
import { toMessageDto } from './history/history-queries';
import { propertiesFromJson, payloadBytes } from './publish-payload';
import { buildSeries } from './series';
import { resolveUserPath } from './user-path';
import { accountPrefix, matchLevels, splitAccount } from './topic-match';
import { toNodeDto } from './tree/node-dto';
import { topicNodeMatches } from './tree/topic-tree';

export type ExplorerHandlers = HandlersFor<keyof typeof explorerMethods>;

const ok = { ok: true as const };

function isConnectionError(err: unknown): err is ExplorerConnectionError {
  return !!err && typeof err === 'object' && 'kind' in err && 'message' in err && !(err instanceof Error);
}

export function createHandlers(s: ExplorerService): ExplorerHandlers {
  const requireConnection = (connectionId: string) => {
    if (!s.hasConnection(connectionId)) {
      throw new ApiError('NOT_FOUND', `Connection "${connectionId}" is not open`);
    }
  };

  const publishOn = async (
    connectionId: string,
    topic: string,
    account: string | undefined,
    payload: Buffer,
    opts: { qos: 0 | 1 | 2; retain: boolean; properties?: Record<string, unknown> },
  ) => {
    requireConnection(connectionId);
    try {
      if (connectionId === LOCAL && s.local) await s.local.publish(topic, account, payload, opts);
      else await s.external.get(connectionId)?.publish(accountPrefix(account) + topic, payload, opts);
    } catch (err) {
      throw new ApiError('UNAVAILABLE', `Publish failed: ${(err as Error).message}`);
    }
  };

  const retainedTopics = async (
    connectionId: string,
    filter: string,
    account: string | undefined,
    waitMs: number,
  ) => {
    requireConnection(connectionId);
    if (connectionId === LOCAL && s.local) return s.local.retainedTopics(filter, account);
    const conn = s.external.get(connectionId);
    if (!conn) return [];
    return conn.collectRetained(accountPrefix(account) + filter, waitMs);
  };

  const clearRetained = async (connectionId: string, internalTopic: string) => {
    const { account, displayTopic } = splitAccount(internalTopic);
    await publishOn(connectionId, displayTopic, account, Buffer.alloc(0), { qos: 1, retain: true });
    s.existingTree(connectionId)?.setRetained(internalTopic, false);
  };

  return {
    'explorer.connections.list': () => ({ connections: s.connectionInfos() }),
    'explorer.connections.open': async ({ profileId }) => {
      if (!s.profiles.get(profileId)) throw new ApiError('NOT_FOUND', `No profile "${profileId}"`);
      try {
        return s.externalInfo(await s.openExternal(profileId));
      } catch (err) {
        if (isConnectionError(err)) throw new ApiError('UNAVAILABLE', err.message, err);
        throw new ApiError('UNAVAILABLE', (err as Error).message);
      }
    },
    'explorer.connections.close': async ({ connectionId }) => {
      if (connectionId === LOCAL) throw new ApiError('BAD_REQUEST', 'The local connection cannot be closed');
      if (!(await s.closeExternal(connectionId)))
        throw new ApiError('NOT_FOUND', `Connection "${connectionId}" is not open`);
      return ok;
    },
    'explorer.subscriptions.set': async ({ connectionId, subscriptions, persist }) => {
      const conn = s.external.get(connectionId);
      if (!conn) throw new ApiError('NOT_FOUND', `External connection "${connectionId}" is not open`);
      try {
        await s.setSubscriptions(connectionId, subscriptions, persist);
      } catch (err) {
        throw new ApiError('UNAVAILABLE', `Subscribing failed: ${(err as Error).message}`);
      }
      return s.externalInfo(conn);
    },

    'explorer.profiles.list': () => ({ profiles: s.profiles.list() }),
    'explorer.profiles.save': (input) => s.profiles.save(input),
    'explorer.profiles.delete': async ({ profileId }) => {
      await s.closeExternal(profileId);
      if (!s.profiles.delete(profileId)) throw new ApiError('NOT_FOUND', `No profile "${profileId}"`);
      return ok;
    },
    'explorer.profiles.importUrl': ({ url, name }) => {
      try {
        return s.profiles.save(profileFromUrl(url, name));
      } catch (err) {
        throw new ApiError('BAD_REQUEST', (err as Error).message);
      }
    },
    'explorer.profiles.export': ({ profileIds }) => {
      const all = s.profiles.list();
      return { json: exportProfiles(profileIds ? all.filter((p) => profileIds.includes(p.id)) : all) };
    },

    'explorer.view.open': ({ connectionId, filter }) => {
      requireConnection(connectionId);
      s.tree(connectionId);
      return { viewId: s.views.open(connectionId, filter) };
    },
    'explorer.view.update': ({ viewId, filter, paused }) => {
      const change: { filter?: string | null; paused?: boolean } = {};
      if (filter !== undefined) change.filter = filter;
      if (paused !== undefined) change.paused = paused;
      if (!s.views.update(viewId, change)) throw new ApiError('NOT_FOUND', `No view "${viewId}"`);
      return ok;
    },
    'explorer.view.expand': ({ viewId, path: nodePath, expanded }) => {
      if (!s.views.expand(viewId, nodePath, expanded)) throw new ApiError('NOT_FOUND', `No view "${viewId}"`);
      return ok;
    },
    'explorer.view.touch': ({ viewId }) => {
      if (!s.views.get(viewId)) throw new ApiError('NOT_FOUND', `No view "${viewId}"`);
      return ok;
    },
    'explorer.view.close': ({ viewId }) => {
      s.views.close(viewId);
      return ok;
    },
    'explorer.tree.children': ({ connectionId, path: nodePath, offset, limit, viewId, filter }) => {
      const tree = s.existingTree(connectionId);
      const view = viewId ? s.views.get(viewId) : undefined;
      if (viewId && !view) throw new ApiError('NOT_FOUND', `No view "${viewId}"`);
      if (view) s.views.expand(view.id, nodePath, true);
      const node = tree?.find(nodePath);
      if (!tree || !node) {
        if (nodePath === '') return { node: null, children: [], total: 0 };
        throw new ApiError('NOT_FOUND', `No topic-tree node "${nodePath}"`);
      }
      const filterLevels = filter ? filter.split('/') : view?.filterLevels;
      const { page, total } = tree.children(node, offset, limit, filterLevels);
      const pinned = (p: string) => s.pins.isPinned(connectionId, p);
      return {
        node: nodePath === '' ? null : toNodeDto(node, pinned(node.path)),
        children: page.map((c) => toNodeDto(c, pinned(c.path))),
        total,
      };
    },
    'explorer.tree.find': ({ connectionId, filter, search, searchHistory, limit }) => {
      const tree = s.existingTree(connectionId);
      const filterLevels = filter?.split('/');
      const needle = search?.toLowerCase();
      if (needle && searchHistory) s.history.flush();
      const fromHistory =
        needle && searchHistory
          ? new Set(s.queries.topicsContaining(connectionId, search ?? '', 10_000))
          : undefined;
      const out: ExplorerTreeNode[] = [];
      let truncated = false;
      tree?.walkTopics((node) => {
        if (filterLevels && !topicNodeMatches(node, filterLevels)) return true;
        if (needle) {
          const inPreview = !node.previewHex && (node.preview ?? '').toLowerCase().includes(needle);
          if (!inPreview && !fromHistory?.has(node.path)) return true;
        }
        if (out.length >= limit) {
          truncated = true;
          return false;
        }
        out.push(toNodeDto(node, s.pins.isPinned(connectionId, node.path)));
        return true;
      });
      // Topics only in stored history (e.g. from before a restart) are listed too.
      for (const topic of fromHistory ?? []) {
        if (out.length >= limit) {
          truncated = true;
          break;
        }
        if (tree?.find(topic)?.messages) continue;
        const dto = historyOnlyNode(topic, s.pins.isPinned(connectionId, topic));
        if (!filterLevels || matchLevels(filterLevels, dto.displayTopic.split('/'))) out.push(dto);
      }
      out.sort((a, b) => (a.path < b.path ? -1 : 1));
      return { topics: out, truncated };
    },
    'explorer.tree.clear': ({ connectionId }) => {
      s.existingTree(connectionId)?.clear();
      s.views.resetConnection(connectionId);
      return ok;
    },
    'explorer.pins.set': ({ connectionId, topic, pinned }) => {
      s.pins.set(connectionId, topic, pinned);
      return ok;
    },
    'explorer.pins.list': ({ connectionId }) => ({ topics: s.pins.list(connectionId) }),

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
      await publishOn(connectionId, topic, account, bytes, {
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
      await publishOn(connectionId ?? row.connection_id, displayTopic, account, row.payload, {
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

    'explorer.packets.subscribe': ({ connectionId, filter }) => {
      requireConnection(connectionId);
      return { subscriptionId: s.packets.subscribe(connectionId, filter) };
    },
    'explorer.packets.update': ({ subscriptionId, filter }) => {
      if (!s.packets.update(subscriptionId, filter))
        throw new ApiError('NOT_FOUND', `No packet subscription "${subscriptionId}"`);
      return ok;
    },
    'explorer.packets.unsubscribe': ({ subscriptionId }) => {
      s.packets.unsubscribe(subscriptionId);
      return ok;
    },
    'explorer.packets.timeline': ({ connectionId, clientId, limit }) =>
      s.packets.timeline(connectionId, clientId, limit),

    'explorer.capture.start': (req) => {
      requireConnection(req.connectionId);
      try {
        return captureInfo(s.startCapture(req));
      } catch (err) {
        throw new ApiError('BAD_REQUEST', `Cannot write the capture: ${(err as Error).message}`);
      }
    },
    'explorer.capture.stop': async ({ captureId }) => {
      const writer = await s.stopCapture(captureId);
      if (!writer) throw new ApiError('NOT_FOUND', `No capture "${captureId}"`);
      return captureInfo(writer);
    },
    'explorer.capture.list': () => ({ captures: [...s.captures.values()].map(captureInfo) }),
    'explorer.capture.open': async ({ file, offset, limit }) => {
      try {
        const result = await openCapture(resolveUserPath(s.options.dataDir, 'captures', file), offset, limit);
        return {
          header: result.header as unknown as Record<string, unknown> | null,
          messages: result.messages.map(({ type: _t, ...m }) => m),
          totalMessages: result.totalMessages,
          packets: result.packets,
        };
      } catch (err) {
        throw new ApiError('BAD_REQUEST', (err as Error).message);
      }
    },
    'explorer.export': async ({ connectionId, topic, format, file, since, limit }) => {
      s.history.flush();
      let target: string;
      try {
        target = resolveUserPath(s.options.dataDir, 'exports', file);
        fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
      } catch (err) {
        throw new ApiError('BAD_REQUEST', (err as Error).message);
      }
      if (fs.existsSync(target))
        throw new ApiError('CONFLICT', `${target} already exists; choose another file name`);
      const count = await exportMessages(
        s.queries.iterate(connectionId, since),
        topic,
        format,
        target,
        limit,
      );
      return { file: target, count };
    },
    'explorer.replay.start': async ({ file, connectionId, speed, topicPrefix }) => {
      requireConnection(connectionId);
      let source: string;
      try {
        source = resolveUserPath(s.options.dataDir, 'captures', file);
      } catch (err) {
        throw new ApiError('BAD_REQUEST', (err as Error).message);
      }
      const replay = new Replay(
        source,
        connectionId,
        speed,
        {
          publish: (m) => {
            const { account, displayTopic } = splitAccount(m.topic);
            const props = propertiesFromJson(m.properties);
            return publishOn(connectionId, displayTopic, account, m.payload, {
              qos: m.qos,
              retain: m.retain,
              ...(props ? { properties: props } : {}),
            });
          },
        },
        (progress) => {
          s.options.events.emit('explorer.replay.progress', progress);
          if (progress.done) s.replays.delete(progress.replayId);
        },
        topicPrefix ?? '',
      );
      try {
        await replay.countMessages();
      } catch (err) {
        throw new ApiError('BAD_REQUEST', (err as Error).message);
      }
      s.replays.set(replay.id, replay);
      replay.start();
      return { replayId: replay.id, total: replay.total };
    },
    'explorer.replay.stop': ({ replayId }) => {
      const replay = s.replays.get(replayId);
      if (!replay) throw new ApiError('NOT_FOUND', `No running replay "${replayId}"`);
      replay.stop();
      return ok;
    },
  };
}

/** A tree-node row for a topic known only from stored history. */
function historyOnlyNode(topic: string, pinned: boolean): ExplorerTreeNode {
  const { account, displayTopic } = splitAccount(topic);
  const cut = topic.lastIndexOf('/');
  const node: ExplorerTreeNode = {
    path: topic,
    parent: cut < 0 ? '' : topic.slice(0, cut),
    name: cut < 0 ? topic : topic.slice(cut + 1),
    displayTopic,
    isAccountGroup: false,
    messages: 0,
    rate: 0,
    subtreeMessages: 0,
    subtreeTopics: 0,
    childCount: 0,
    retained: false,
    pinned,
  };
  if (account !== undefined) node.account = account;
  return node;
}
