import { ApiError } from '../../api/api-error';
import { openCapture } from '../capture/capture-reader';
import { exportMessages } from '../capture/export-messages';
import { Replay } from '../capture/replay';
import { captureInfo, type ExplorerService } from '../explorer-service';
import { propertiesFromJson } from '../publish-payload';
import { splitAccount } from '../topic-match';
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
      return captureInfo(s.startCapture(req));
    },
    'explorer.capture.stop': async ({ captureId }) => {
      const writer = await s.stopCapture(captureId);
      if (!writer) throw new ApiError('NOT_FOUND', `No capture "${captureId}"`);
      return captureInfo(writer);
    },
    'explorer.capture.list': () => ({ captures: [...s.captures.values()].map(captureInfo) }),
    'explorer.capture.open': async ({ file, offset, limit }) => {
      const input = s.files.readStream(file, 'capture');
      try {
        const result = await openCapture(input, file, offset, limit);
        return {
          header: result.header as unknown as Record<string, unknown> | null,
          messages: result.messages.map(({ type: _t, ...m }) => m),
          totalMessages: result.totalMessages,
          packets: result.packets,
        };
      } catch (err) {
        throw err instanceof ApiError ? err : new ApiError('BAD_REQUEST', (err as Error).message);
      }
    },
    'explorer.export': async ({ connectionId, topic, format, file, overwrite, since, limit }) => {
      s.history.flush();
      const target = s.files.create(file, format, overwrite);
      let count: number;
      try {
        count = await exportMessages(
          s.queries.iterate(connectionId, since),
          topic,
          format,
          target.stream,
          limit,
        );
        target.commit();
      } catch (err) {
        target.abort();
        throw err;
      }
      return { file, count };
    },
    'explorer.replay.start': async ({ file, connectionId, speed, topicPrefix }) => {
      requireConnection(s, connectionId);
      const replay = new Replay(
        () => s.files.readStream(file, 'capture'),
        file,
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
        throw err instanceof ApiError ? err : new ApiError('BAD_REQUEST', (err as Error).message);
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
