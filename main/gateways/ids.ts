/** Identifiers, client ids and topics of the OmniCore / IoT Core device model. */

// Letters first, then letters, digits and `. _ ~ -`: safe as one MQTT topic level and in client ids.
const REGISTRY_ID = /^[A-Za-z][A-Za-z0-9._~-]{2,63}$/;
const DEVICE_ID = /^[A-Za-z][A-Za-z0-9._~-]{2,127}$/;
/** `/devices/<device>/…` is the short topic form, so no registry may be called that. */
const RESERVED_REGISTRY_IDS = new Set(['devices']);

export function registryIdProblem(id: string): string | null {
  if (RESERVED_REGISTRY_IDS.has(id.toLowerCase())) return `"${id}" is reserved`;
  return REGISTRY_ID.test(id)
    ? null
    : `"${id}" is not a valid registry id (3–64 characters: a letter, then letters, digits, ".", "_", "~" or "-")`;
}

export function deviceIdProblem(id: string): string | null {
  return DEVICE_ID.test(id)
    ? null
    : `"${id}" is not a valid device id (3–128 characters: a letter, then letters, digits, ".", "_", "~" or "-")`;
}

export interface DevicePath {
  accountName: string;
  registryId: string;
  deviceId: string;
}

const OMNICORE_CLIENT_ID = /^subscriptions\/([^/]+)\/registries\/([^/]+)\/devices\/([^/]+)$/;
const IOT_CORE_CLIENT_ID = /^projects\/([^/]+)\/locations\/[^/]+\/registries\/([^/]+)\/devices\/([^/]+)$/;

/** `subscriptions/<account>/registries/<r>/devices/<d>` or `projects/<account>/locations/<l>/registries/<r>/devices/<d>`. */
export function parseClientId(clientId: string): DevicePath | null {
  const match = OMNICORE_CLIENT_ID.exec(clientId) ?? IOT_CORE_CLIENT_ID.exec(clientId);
  if (!match) return null;
  return { accountName: match[1]!, registryId: match[2]!, deviceId: match[3]! };
}

export type TopicKind = 'events' | 'state' | 'config' | 'commands' | 'attach' | 'detach' | 'errors';

export interface DeviceTopic {
  /** `registry` for `/<registry>/<device>/…`, `devices` for `/devices/<device>/…`. */
  form: 'registry' | 'devices';
  deviceId: string;
  kind: TopicKind;
  /** What follows `events/` or `commands/` (may contain wildcards in a filter), or null. */
  subfolder: string | null;
}

const KINDS = new Set<string>(['events', 'state', 'config', 'commands', 'attach', 'detach', 'errors']);

/**
 * Parses a device topic (or filter) as seen by a client of `registryId`. Null when it is not one of
 * the two forms, names another registry, or has wildcards anywhere but a subfolder.
 */
export function parseDeviceTopic(topic: string, registryId: string): DeviceTopic | null {
  if (topic.charCodeAt(0) !== 47) return null;
  const levels = topic.split('/');
  if (levels.length < 4) return null;
  const first = levels[1]!;
  const form = first === 'devices' ? 'devices' : first === registryId ? 'registry' : null;
  if (form === null) return null;
  const deviceId = levels[2]!;
  const kind = levels[3]!;
  if (!KINDS.has(kind) || deviceId === '+' || deviceId === '#' || deviceId === '') return null;
  const rest = levels.slice(4);
  const hasSubfolder = kind === 'events' || kind === 'commands';
  if (rest.length > 0 && !hasSubfolder) return null;
  return { form, deviceId, kind: kind as TopicKind, subfolder: rest.length > 0 ? rest.join('/') : null };
}

export function deviceTopic(
  form: DeviceTopic['form'],
  registryId: string,
  deviceId: string,
  tail: string,
): string {
  return form === 'registry' ? `/${registryId}/${deviceId}/${tail}` : `/devices/${deviceId}/${tail}`;
}

/** A map key for a device inside the whole process. */
export function deviceKey(accountId: string, registryId: string, deviceId: string): string {
  return `${accountId}\u0000${registryId}\u0000${deviceId}`;
}
