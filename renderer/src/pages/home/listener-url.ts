import type { ListenerStatusDto } from '../../../../preload/contract/listeners';

const SCHEMES: Record<ListenerStatusDto['kind'], string> = {
  mqtt: 'mqtt',
  mqtts: 'mqtts',
  'mqtts-mutual': 'mqtts',
  ws: 'ws',
  wss: 'wss',
};

export const KIND_LABELS: Record<ListenerStatusDto['kind'], string> = {
  mqtt: 'MQTT over TCP',
  mqtts: 'MQTT over TLS',
  'mqtts-mutual': 'MQTT over TLS with client certificates',
  ws: 'MQTT over WebSocket',
  wss: 'MQTT over secure WebSocket',
};

/** The host a client on this machine uses: a wildcard bind is reachable on the loopback address. */
function clientHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** The URL a client on this machine connects to, e.g. `mqtt://127.0.0.1:1883` or `ws://127.0.0.1:8080/mqtt`. */
export function listenerUrl(l: ListenerStatusDto): string {
  const port = l.boundPort ?? l.port;
  const path = l.kind === 'ws' || l.kind === 'wss' ? l.options.wsPath : '';
  return `${SCHEMES[l.kind]}://${clientHost(l.host)}:${port}${path}`;
}

/** Whether other machines can reach the listener too (bound to every interface). */
export function reachableFromNetwork(l: ListenerStatusDto): boolean {
  return l.host === '0.0.0.0' || l.host === '::';
}
