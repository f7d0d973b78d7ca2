import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../api/api-error';
import { openCapture } from '../capture/capture-reader';
import { exportMessages } from '../capture/export-messages';
import { Replay } from '../capture/replay';
import { captureInfo, type ExplorerService } from '../explorer-service';
import { propertiesFromJson } from '../publish-payload';
import { splitAccount } from '../topic-match';
import { resolveUserPath } from '../user-path';
import { type HandlerGroup, ok, publishOn, requireConnection } from './shared';

/** Packet inspector, capture files, exports and replays. */
export function trafficHandlers(
  s: ExplorerService,
): HandlerGroup<'explorer.packets.' | 'explorer.capture.' | 'explorer.export' | 'explorer.replay.'> {
  return {
    'explorer.packets.subscribe': ({ connectionId, filter }) => {
      requireConnection(s, connectionId);
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
      requireConnection(s, req.connectionId);
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
      requireConnection(s, connectionId);
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
            return publishOn(s, connectionId, displayTopic, account, m.payload, {
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
