import type { ExplorerProfile } from '../../../preload/contract/explorer';
import type { ProfileInput } from './profile-store';

const PROTOCOLS: Record<string, ProfileInput['protocol']> = {
  mqtt: 'mqtt',
  tcp: 'mqtt',
  mqtts: 'mqtts',
  ssl: 'mqtts',
  tls: 'mqtts',
  ws: 'ws',
  wss: 'wss',
};

/** Parses `mqtts://user:pass@host:8883/path?clientId=x&version=4` into profile fields. */
export function profileFromUrl(url: string, name?: string): ProfileInput {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`"${url}" is not a valid URL (expected e.g. mqtts://user@broker.example.com:8883)`);
  }
  const protocol = PROTOCOLS[parsed.protocol.replace(/:$/, '')];
  if (!protocol) throw new Error(`Unsupported scheme "${parsed.protocol}": use mqtt, mqtts, ws or wss`);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!host) throw new Error('The URL has no host name');
  const version = parsed.searchParams.get('version') ?? parsed.searchParams.get('protocolVersion');
  const input: ProfileInput = {
    name: name ?? `${parsed.username ? `${decodeURIComponent(parsed.username)}@` : ''}${host}`,
    protocol,
    host,
    mqttVersion: version === '4' || version === '3.1.1' ? 4 : 5,
    keepAliveSeconds: 60,
    cleanStart: true,
    insecureSkipVerify: false,
    subscriptions: [{ filter: '#', qos: 0 }],
  };
  if (parsed.port) input.port = Number(parsed.port);
  if (parsed.username) input.username = decodeURIComponent(parsed.username);
  if (parsed.password) input.password = decodeURIComponent(parsed.password);
  if ((protocol === 'ws' || protocol === 'wss') && parsed.pathname && parsed.pathname !== '/')
    input.path = parsed.pathname;
  const clientId = parsed.searchParams.get('clientId');
  if (clientId) input.clientId = clientId;
  return input;
}

/** Profiles as a shareable JSON document: no passwords, keys or passphrases. */
export function exportProfiles(profiles: ExplorerProfile[]): string {
  const cleaned = profiles.map(
    ({ hasPassword: _p, hasKey: _k, hasPassphrase: _s, createdAt: _c, updatedAt: _u, ...rest }) => rest,
  );
  return JSON.stringify({ format: 'fieldbench-explorer-profiles', version: 1, profiles: cleaned }, null, 2);
}
