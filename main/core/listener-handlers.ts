import type { ListenerStatusDto, listenerMethods } from '../../preload/contract/listeners';
import { ApiError, type HandlersFor } from '../api';
import { ListenerError, type ListenerManager, type ListenerStatus } from '../broker/listeners';

export function toListenerDto(status: ListenerStatus, tlsSummary?: string): ListenerStatusDto {
  const { options } = status;
  return {
    id: status.id,
    kind: status.kind,
    host: status.host,
    port: status.port,
    enabled: status.enabled,
    ephemeral: status.ephemeral,
    state: status.state,
    ...(status.error ? { error: status.error } : {}),
    boundPort: status.boundPort,
    connectedClients: status.connectedClients,
    refusedConnections: status.refusedConnections,
    totalConnections: status.totalConnections,
    bytesIn: status.bytesIn,
    bytesOut: status.bytesOut,
    ...(tlsSummary ? { tlsSummary } : {}),
    options: {
      maxConnections: options.maxConnections,
      minTlsVersion: options.minTlsVersion,
      alpnProtocols: options.alpnProtocols,
      requireSni: options.requireSni,
      wsPath: options.wsPath,
    },
  };
}

async function mapListenerErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ListenerError) {
      throw new ApiError(err.code === 'LISTENER_NOT_FOUND' ? 'NOT_FOUND' : 'CONFLICT', err.message);
    }
    throw err;
  }
}

export function createListenerHandlers(
  listeners: ListenerManager,
  tlsSummary: (listenerId: string) => string | undefined,
): HandlersFor<keyof typeof listenerMethods> {
  const dto = (s: ListenerStatus) => toListenerDto(s, tlsSummary(s.id));
  return {
    'listeners.list': () => ({ listeners: listeners.list().map(dto) }),
    'listeners.create': (req) => mapListenerErrors(async () => dto(await listeners.create(req))),
    'listeners.update': ({ id, ...patch }) =>
      mapListenerErrors(async () => dto(await listeners.update(id, patch))),
    'listeners.remove': ({ id }) =>
      mapListenerErrors(async () => {
        await listeners.remove(id);
        return { removed: true };
      }),
    'listeners.start': ({ id }) => mapListenerErrors(async () => dto(await listeners.start(id))),
    'listeners.stop': ({ id }) => mapListenerErrors(async () => dto(await listeners.stop(id))),
    'listeners.handshakeFailures': ({ listenerId }) => ({
      failures: listeners.handshakeFailures(listenerId).slice().reverse(),
    }),
  };
}
