import {
  type ExplorerProfile,
  type ExplorerProfileInput,
  profileInputSchema,
} from '../../../../../preload/contract/explorer';
import { topicFilterProblem } from '../util';

// The profile form's draft, how it maps to and from the contract, and its validation: the contract's
// `profileInputSchema` plus the checks only the form can make (PEM text, a key for a certificate).

export type Protocol = 'mqtt' | 'mqtts' | 'ws' | 'wss';
export const DEFAULT_PORTS: Record<Protocol, number> = { mqtt: 1883, mqtts: 8883, ws: 80, wss: 443 };

export interface Form {
  id?: string;
  name: string;
  protocol: Protocol;
  host: string;
  port: string;
  path: string;
  mqttVersion: '4' | '5';
  clientId: string;
  username: string;
  password: string;
  clearPassword: boolean;
  keepAlive: string;
  cleanStart: boolean;
  caPem: string;
  certPem: string;
  keyPem: string;
  clearKey: boolean;
  passphrase: string;
  servername: string;
  alpn: string;
  insecure: boolean;
  subscriptions: { filter: string; qos: 0 | 1 | 2 }[];
  hasPassword: boolean;
  hasKey: boolean;
  hasPassphrase: boolean;
}

export const EMPTY: Form = {
  name: '',
  protocol: 'mqtt',
  host: '127.0.0.1',
  port: '1883',
  path: '/mqtt',
  mqttVersion: '5',
  clientId: '',
  username: '',
  password: '',
  clearPassword: false,
  keepAlive: '60',
  cleanStart: true,
  caPem: '',
  certPem: '',
  keyPem: '',
  clearKey: false,
  passphrase: '',
  servername: '',
  alpn: '',
  insecure: false,
  subscriptions: [{ filter: '#', qos: 0 }],
  hasPassword: false,
  hasKey: false,
  hasPassphrase: false,
};

export function fromProfile(p: ExplorerProfile): Form {
  return {
    ...EMPTY,
    id: p.id,
    name: p.name,
    protocol: p.protocol,
    host: p.host,
    port: String(p.port),
    path: p.path ?? '/mqtt',
    mqttVersion: p.mqttVersion === 4 ? '4' : '5',
    clientId: p.clientId ?? '',
    username: p.username ?? '',
    keepAlive: String(p.keepAliveSeconds),
    cleanStart: p.cleanStart,
    caPem: p.caPem ?? '',
    certPem: p.certPem ?? '',
    servername: p.servername ?? '',
    alpn: (p.alpn ?? []).join(', '),
    insecure: p.insecureSkipVerify,
    subscriptions: p.subscriptions.map((s) => ({ filter: s.filter, qos: s.qos })),
    hasPassword: p.hasPassword,
    hasKey: p.hasKey,
    hasPassphrase: p.hasPassphrase,
  };
}

export function toInput(f: Form): ExplorerProfileInput {
  const tls = f.protocol === 'mqtts' || f.protocol === 'wss';
  const input: ExplorerProfileInput = {
    name: f.name.trim(),
    protocol: f.protocol,
    host: f.host.trim(),
    port: f.port.trim() ? Number(f.port) : DEFAULT_PORTS[f.protocol],
    mqttVersion: f.mqttVersion === '4' ? 4 : 5,
    keepAliveSeconds: f.keepAlive.trim() ? Number(f.keepAlive) : Number.NaN,
    cleanStart: f.cleanStart,
    insecureSkipVerify: tls && f.insecure,
    subscriptions: f.subscriptions,
  };
  if (f.id) input.id = f.id;
  if (f.protocol === 'ws' || f.protocol === 'wss') input.path = f.path || '/mqtt';
  if (f.clientId.trim()) input.clientId = f.clientId.trim();
  if (f.username) input.username = f.username;
  if (f.password) input.password = f.password;
  else if (f.clearPassword) input.password = null;
  if (tls) {
    if (f.caPem.trim()) input.caPem = f.caPem;
    if (f.certPem.trim()) input.certPem = f.certPem;
    if (f.keyPem.trim()) input.keyPem = f.keyPem;
    else if (f.clearKey) input.keyPem = null;
    if (f.passphrase) input.passphrase = f.passphrase;
    if (f.servername.trim()) input.servername = f.servername.trim();
    const alpn = f.alpn
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (alpn.length) input.alpn = alpn;
  }
  return input;
}

const PEM_RE = /-----BEGIN [A-Z0-9 ]+-----[\s\S]+-----END [A-Z0-9 ]+-----/;
const PEM_FIELDS = [
  ['caPem', 'CA certificate'],
  ['certPem', 'Client certificate'],
  ['keyPem', 'Private key'],
] as const;

/** The contract's schema, refined with what only the form knows (`hasKey`: a key is stored already). */
export function profileFormSchema(hasKey: boolean) {
  return profileInputSchema.superRefine((input, ctx) => {
    if (/[\s/]|:\/\//.test(input.host))
      ctx.addIssue({
        code: 'custom',
        path: ['host'],
        message: 'Only the host name, without scheme, port or path.',
      });
    for (const [key, label] of PEM_FIELDS) {
      const value = input[key];
      if (typeof value === 'string' && value.trim() && !PEM_RE.test(value))
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${label} must be PEM text (-----BEGIN …-----).`,
        });
    }
    if (input.certPem && !input.keyPem && !hasKey)
      ctx.addIssue({
        code: 'custom',
        path: ['keyPem'],
        message: 'A client certificate needs its private key.',
      });
    input.subscriptions?.forEach((s, i) => {
      const problem = topicFilterProblem(s.filter);
      if (problem) ctx.addIssue({ code: 'custom', path: ['subscriptions', i, 'filter'], message: problem });
    });
    if (input.path !== undefined && !input.path.startsWith('/'))
      ctx.addIssue({ code: 'custom', path: ['path'], message: 'The path starts with /.' });
  });
}

/** The draft field an issue belongs to: subscription rows are `sub<index>`. */
export function profileFieldOf(path: readonly PropertyKey[]): string {
  if (path[0] === 'subscriptions') return `sub${String(path[1])}`;
  return path[0] === 'keepAliveSeconds' ? 'keepAlive' : String(path[0]);
}

/** Field → message, where the schema's wording would not help an operator. */
export const PROFILE_MESSAGES: Record<string, string> = {
  name: 'Give the profile a name.',
  port: 'A port is a whole number from 1 to 65535.',
  keepAlive: 'Keep alive is 0 to 65535 seconds.',
};
