import type { ClientRef } from '../broker/hooks';
import type { DisconnectCause } from '../broker/types';
import type { DeviceRow, DeviceService } from './devices';

/** The part of the broker's event emitter connection records need. */
export interface ConnectionEventSource {
  on(
    name: 'client.connected',
    listener: (event: { client: ClientRef; protocolVersion: 3 | 4 | 5 }) => void,
  ): (() => void) | unknown;
  on(
    name: 'client.disconnected',
    listener: (event: { client: ClientRef; cause: DisconnectCause; reasonCode?: number }) => void,
  ): (() => void) | unknown;
}

const CAUSE_TEXT: Record<DisconnectCause, string> = {
  normal: 'client sent DISCONNECT',
  takeover: 'taken over by a new connection with the same client id',
  keepalive: 'keep-alive timeout',
  'protocol-error': 'protocol error',
  'socket-error': 'connection lost',
  server: 'disconnected by the server',
  'connect-timeout': 'no CONNECT in time',
};

/** Ended without the client's DISCONNECT (nor our own decision): the device went missing. */
function statusOf(cause: DisconnectCause): 'disconnected' | 'missing' {
  return cause === 'normal' || cause === 'server' || cause === 'takeover' ? 'disconnected' : 'missing';
}

/**
 * Keeps device connection records in step with the broker. Only the newest connection of a
 * device may change its record, so a late "disconnected" from a taken-over connection is ignored.
 */
export function trackConnections(
  source: ConnectionEventSource,
  devices: DeviceService,
  onChange: (row: DeviceRow) => void,
  /** Why tenancy itself asked the broker to drop this client, if it did. */
  ownReason: (client: ClientRef) => string | undefined = () => undefined,
): () => void {
  const current = new Map<string, ClientRef>();
  const keyOf = (client: ClientRef) => `${client.principal.accountId}\u0000${client.clientId}`;
  const offConnected = source.on('client.connected', ({ client, protocolVersion }) => {
    if (client.principal.accountId === null) return;
    current.set(keyOf(client), client);
    const row = devices.recordConnected(client, protocolVersion);
    if (row) onChange(row);
  });
  const offDisconnected = source.on('client.disconnected', ({ client, cause, reasonCode }) => {
    if (client.principal.accountId === null) return;
    const key = keyOf(client);
    if (current.get(key) !== client) return;
    current.delete(key);
    const base = ownReason(client) ?? CAUSE_TEXT[cause];
    const reason = reasonCode ? `${base} (reason 0x${reasonCode.toString(16)})` : base;
    const row = devices.recordDisconnected(client, statusOf(cause), reason);
    if (row) onChange(row);
  });
  return () => {
    if (typeof offConnected === 'function') offConnected();
    if (typeof offDisconnected === 'function') offDisconnected();
  };
}
