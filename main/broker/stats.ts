import type { BrokerCore, Counters } from './broker';
import type { BrokerStats } from './types';

type Rates = BrokerStats['rates'];

/** Per-second rates derived from the running counters, sampled by the broker's housekeeping. */
export class RateMeter {
  rates: Rates = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, connects: 0 };
  private last: Counters;
  private lastAt: number;

  constructor(private readonly core: BrokerCore) {
    this.last = { ...core.counters };
    this.lastAt = core.now();
  }

  /** Returns true when a new one-second sample was taken. */
  sample(now: number): boolean {
    const elapsed = now - this.lastAt;
    if (elapsed < 1000) return false;
    const c = this.core.counters;
    const per = (a: number, b: number) => Math.round(((a - b) * 1000) / elapsed);
    this.rates = {
      messagesIn: per(c.messagesIn, this.last.messagesIn),
      messagesOut: per(c.messagesOut, this.last.messagesOut),
      bytesIn: per(c.bytesIn, this.last.bytesIn),
      bytesOut: per(c.bytesOut, this.last.bytesOut),
      connects: per(c.connects, this.last.connects),
    };
    this.last = { ...c };
    this.lastAt = now;
    return true;
  }
}

export function brokerStats(core: BrokerCore, rates: Rates): BrokerStats {
  const now = core.now();
  const c = core.counters;
  let clientsConnected = 0;
  for (const session of core.sessions.values()) if (session.conn !== null) clientsConnected++;
  return {
    startedAt: core.startedAt,
    uptimeSeconds: Math.floor((now - core.startedAt) / 1000),
    clientsConnected,
    sessions: core.sessions.size,
    subscriptions: core.trie.size,
    retained: core.retained.size,
    messagesIn: c.messagesIn,
    messagesOut: c.messagesOut,
    bytesIn: c.bytesIn,
    bytesOut: c.bytesOut,
    messagesDropped: c.dropped,
    connectionsTotal: c.connects,
    connectsRefused: c.refused,
    rates: { ...rates },
  };
}
