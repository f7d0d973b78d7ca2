import type { BrokerCore } from './broker';
import { createMessage } from './message';
import type { BrokerStats } from './types';

/** Publishes broker statistics as retained `$SYS/broker/...` messages (root namespace only). */
export function publishSysTopics(core: BrokerCore, stats: BrokerStats): void {
  const values: [string, number][] = [
    ['uptime', stats.uptimeSeconds],
    ['clients/connected', stats.clientsConnected],
    ['clients/total', stats.sessions],
    ['messages/received', stats.messagesIn],
    ['messages/sent', stats.messagesOut],
    ['messages/dropped', stats.messagesDropped],
    ['bytes/received', stats.bytesIn],
    ['bytes/sent', stats.bytesOut],
    ['load/messages/received/1s', stats.rates.messagesIn],
    ['load/messages/sent/1s', stats.rates.messagesOut],
    ['load/bytes/received/1s', stats.rates.bytesIn],
    ['load/bytes/sent/1s', stats.rates.bytesOut],
    ['retained/count', stats.retained],
    ['subscriptions/count', stats.subscriptions],
  ];
  const now = core.now();
  for (const [name, value] of values) {
    const msg = createMessage(
      `$SYS/broker/${name}`,
      Buffer.from(String(value)),
      0,
      true,
      undefined,
      now,
      null,
    );
    core.publishMessage(msg, null);
  }
}
