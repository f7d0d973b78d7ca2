import type { ListenerKind, ListenerManager, ListenerStatus } from '../broker/listeners';
import type { RestListeners } from '../resources/rest-listeners';
import type { ListenerFlags } from './create-core';

/** Listeners saved on first start: devices on the LAN reach them; all of them require credentials by default. */
const FIRST_START_LISTENERS: Array<{ kind: ListenerKind; port: number }> = [
  { kind: 'mqtt', port: 1883 },
  { kind: 'mqtts', port: 8883 },
  { kind: 'mqtts-mutual', port: 8884 },
  { kind: 'ws', port: 8080 },
  { kind: 'wss', port: 8443 },
];

function flaggedListeners(flags: ListenerFlags): Array<{ kind: ListenerKind; port: number }> {
  const wanted: Array<[ListenerKind, number | undefined]> = [
    ['mqtt', flags.mqttPort],
    ['mqtts', flags.mqttsPort],
    ['mqtts-mutual', flags.mqttsMutualPort],
    ['ws', flags.wsPort],
    ['wss', flags.wssPort],
  ];
  return wanted
    .filter((w): w is [ListenerKind, number] => w[1] !== undefined)
    .map(([kind, port]) => ({ kind, port }));
}

/**
 * Listener flags on the command line define this run's listeners (not saved); without them the saved
 * listeners start, and a first start saves the standard set.
 */
export async function startListeners(
  manager: ListenerManager,
  flags: ListenerFlags | undefined,
  isFirstStart: boolean,
): Promise<ListenerStatus[]> {
  const flagged = flags ? flaggedListeners(flags) : [];
  if (flagged.length > 0) {
    for (const { kind, port } of flagged)
      await manager.ensureEphemeral({ kind, host: flags!.brokerHost, port });
    return manager.list();
  }
  await manager.load();
  if (isFirstStart && manager.list().length === 0) {
    for (const { kind, port } of FIRST_START_LISTENERS) {
      await manager.create({ kind, host: flags?.brokerHost ?? '0.0.0.0', port });
    }
  }
  return manager.list();
}

/** `mqtt 127.0.0.1:1883`, or the error, for the ready line. */
export function describeListener(status: ListenerStatus): string {
  if (status.state === 'running') {
    const host = status.host === '0.0.0.0' || status.host === '::' ? '*' : status.host;
    return `${status.kind} ${host}:${status.boundPort}`;
  }
  return `${status.kind} :${status.port} ${status.state}${status.error ? ` (${status.error})` : ''}`;
}

/** REST listener flags define this run's REST listeners (not saved); otherwise the saved ones start. */
export async function startRestListeners(
  rest: RestListeners,
  flags: ListenerFlags | undefined,
): Promise<void> {
  const wanted = [
    ['rest', flags?.restPort],
    ['rests', flags?.restsPort],
  ] as const;
  const flagged = wanted.filter((w) => w[1] !== undefined);
  if (flagged.length === 0) return rest.load();
  for (const [kind, port] of flagged) {
    await rest.set({ id: kind, kind, host: flags!.brokerHost, port: port!, enabled: true }, true);
  }
}
