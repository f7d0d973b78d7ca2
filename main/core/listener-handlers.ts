import type { ListenerStatusDto, listenerMethods } from '../../preload/contract/listeners';
import { ApiError, type CallContext, type HandlersFor } from '../api';
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
      allowedOrigins: options.allowedOrigins,
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

/** Where operator changes are recorded (the tenancy capability's audit log). */
export interface ListenerAudit {
  record(call: CallContext, action: string, target: string | null, details?: unknown): void;
}

/** What the audit log keeps about a listener: address, settings, resulting state; no TLS file paths or keys. */
function auditFacts(status: ListenerStatus) {
  return {
    kind: status.kind,
    host: status.host,
    port: status.port,
    boundPort: status.boundPort,
    enabled: status.enabled,
    state: status.state,
    ...(status.error ? { error: status.error } : {}),
    options: {
      maxConnections: status.options.maxConnections,
      minTlsVersion: status.options.minTlsVersion,
      alpnProtocols: status.options.alpnProtocols,
      requireSni: status.options.requireSni,
      wsPath: status.options.wsPath,
    },
  };
}

export function createListenerHandlers(
  listeners: ListenerManager,
  tlsSummary: (listenerId: string) => string | undefined,
  audit?: ListenerAudit,
): HandlersFor<keyof typeof listenerMethods> {
  const dto = (s: ListenerStatus) => toListenerDto(s, tlsSummary(s.id));
  const recorded = (call: CallContext, action: string, status: ListenerStatus, extra?: object) => {
    audit?.record(call, action, `listener:${status.id}`, { ...auditFacts(status), ...extra });
    return dto(status);
  };
  return {
    'listeners.list': () => ({ listeners: listeners.list().map(dto) }),
    'listeners.create': (req, call) =>
      mapListenerErrors(async () => recorded(call, 'listeners.create', await listeners.create(req))),
    'listeners.update': ({ id, ...patch }, call) =>
      mapListenerErrors(async () => {
        const before = auditFacts(listeners.get(id));
        return recorded(call, 'listeners.update', await listeners.update(id, patch), { before });
      }),
    'listeners.remove': ({ id }, call) =>
      mapListenerErrors(async () => {
        const before = listeners.get(id);
        await listeners.remove(id);
        audit?.record(call, 'listeners.delete', `listener:${id}`, auditFacts(before));
        return { removed: true };
      }),
    'listeners.start': ({ id }, call) =>
      mapListenerErrors(async () => recorded(call, 'listeners.start', await listeners.start(id))),
    'listeners.stop': ({ id }, call) =>
      mapListenerErrors(async () => recorded(call, 'listeners.stop', await listeners.stop(id))),
    'listeners.handshakeFailures': ({ listenerId }) => ({
      failures: listeners.handshakeFailures(listenerId).slice().reverse(),
    }),
  };
}
