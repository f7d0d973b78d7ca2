/**
 * The provision-bundle settings a device carries, with the seed's (ESF) names. Times are seconds;
 * `retry-max-attempts` −1 means retry forever.
 */
export interface ProvisionBundle {
  enabled: boolean;
  provisioned: boolean;
  'ca-authentication': boolean;
  'broker-url': string;
  'account-name': string;
  username: string;
  password: string;
  'activation-key': string;
  'client-id': string;
  timeout: number;
  'retry-interval': number;
  'retry-max-attempts': number;
}

/** What a device knows about itself and sends in its provision message. */
export interface DeviceIdentity {
  /** MAC of the main interface, e.g. `00:1A:2B:3C:4D:5E`. */
  mac: string;
  serial: string;
  model: string;
  firmware: string;
}

export const BUNDLE_KEYS = [
  'enabled',
  'provisioned',
  'ca-authentication',
  'broker-url',
  'account-name',
  'username',
  'password',
  'activation-key',
  'client-id',
  'timeout',
  'retry-interval',
  'retry-max-attempts',
] as const satisfies readonly (keyof ProvisionBundle)[];

/** Client id default: the MAC without colons. */
export const defaultClientId = (identity: Pick<DeviceIdentity, 'mac'>) => identity.mac.replace(/[:-]/g, '');

/** Username default: the MAC, a dash, then the serial number. */
export const defaultUsername = (identity: Pick<DeviceIdentity, 'mac' | 'serial'>) =>
  `${identity.mac}-${identity.serial}`;

/** A bundle with the seed's defaults; `overrides` win. */
export function defaultBundle(
  identity: DeviceIdentity,
  overrides: Partial<ProvisionBundle> & Pick<ProvisionBundle, 'broker-url' | 'password'>,
): ProvisionBundle {
  return {
    enabled: true,
    provisioned: false,
    'ca-authentication': true,
    'account-name': 'provision',
    username: defaultUsername(identity),
    'activation-key': '',
    'client-id': defaultClientId(identity),
    timeout: 30,
    'retry-interval': 5,
    'retry-max-attempts': -1,
    ...overrides,
  };
}

const escapeProperty = (value: string) =>
  value
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/([=:#!])/g, '\\$1');

/** The bundle as an ESF-style `.properties` snippet. */
export function bundleToProperties(bundle: ProvisionBundle, comment?: string): string {
  const lines = comment ? [`# ${comment}`] : [];
  for (const key of BUNDLE_KEYS) lines.push(`${key}=${escapeProperty(String(bundle[key]))}`);
  return `${lines.join('\n')}\n`;
}

/** Parses an ESF-style properties snippet back into a bundle (unknown keys are ignored). */
export function bundleFromProperties(text: string): ProvisionBundle {
  const values = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const match = /^((?:\\.|[^=:\\])+)\s*[=:]\s*(.*)$/.exec(line);
    if (!match) continue;
    const unescapeValue = (s: string) => s.replace(/\\n/g, '\n').replace(/\\(.)/g, '$1');
    values.set(unescapeValue(match[1]!.trim()), unescapeValue(match[2]!));
  }
  const get = (key: string) => {
    const value = values.get(key);
    if (value === undefined) throw new Error(`provision bundle: "${key}" is missing`);
    return value;
  };
  const bool = (key: string) => get(key) === 'true';
  const num = (key: string) => {
    const n = Number(get(key));
    if (!Number.isFinite(n)) throw new Error(`provision bundle: "${key}" must be a number`);
    return n;
  };
  return {
    enabled: bool('enabled'),
    provisioned: bool('provisioned'),
    'ca-authentication': bool('ca-authentication'),
    'broker-url': get('broker-url'),
    'account-name': get('account-name'),
    username: get('username'),
    password: get('password'),
    'activation-key': get('activation-key'),
    'client-id': get('client-id'),
    timeout: num('timeout'),
    'retry-interval': num('retry-interval'),
    'retry-max-attempts': num('retry-max-attempts'),
  };
}
