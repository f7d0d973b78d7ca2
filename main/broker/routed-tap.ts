import type { Logger } from 'pino';
import type { ClientRef } from './hooks';
import type { Message } from './message';
import type { RoutedEvent, RoutedOptions, RoutedSubscription } from './types';

/** Client id reported for messages no client published (platform publishes, $SYS). */
export const BROKER_PUBLISHER = '(broker)';

interface Observer {
  fn: (e: RoutedEvent) => void;
  maxPerSecond: number;
  windowStart: number;
  inWindow: number;
  dropped: number;
}

/**
 * Every message the broker accepted and routed (client publishes that passed authorization and
 * interception, wills, platform publishes, $SYS), for the topic explorer. Separate from the packet
 * tap so outbound deliveries never eat into its budget. With no observer, callers pay one boolean
 * check (`active`); over budget, messages are dropped and counted per observer.
 */
export class RoutedHub {
  active = false;
  private observers: Observer[] = [];

  constructor(
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  attach(fn: (e: RoutedEvent) => void, opts: RoutedOptions = {}): RoutedSubscription {
    const max = opts.maxMessagesPerSecond ?? 10_000;
    if (!Number.isFinite(max) || max <= 0) {
      throw new RangeError(`maxMessagesPerSecond must be a positive number, got ${max}`);
    }
    const observer: Observer = { fn, maxPerSecond: max, windowStart: 0, inWindow: 0, dropped: 0 };
    this.observers = [...this.observers, observer];
    this.active = true;
    return {
      close: () => {
        this.observers = this.observers.filter((o) => o !== observer);
        this.active = this.observers.length > 0;
      },
      get dropped() {
        return observer.dropped;
      },
    };
  }

  routed(msg: Message, publisher: ClientRef | null, matched: number): void {
    const now = this.now();
    let event: RoutedEvent | undefined;
    for (const o of this.observers) {
      if (now - o.windowStart >= 1000) {
        o.windowStart = now;
        o.inWindow = 0;
      }
      if (o.inWindow >= o.maxPerSecond) {
        o.dropped++;
        continue;
      }
      o.inWindow++;
      event ??= toEvent(msg, publisher, matched, now);
      try {
        o.fn(event);
      } catch (err) {
        this.logger.warn({ err }, 'routed-message observer threw');
      }
    }
  }
}

function toEvent(msg: Message, publisher: ClientRef | null, matched: number, time: number): RoutedEvent {
  const event: RoutedEvent = {
    time,
    topic: msg.topic,
    payload: msg.payload,
    qos: msg.qos,
    retain: msg.retain,
    clientId: publisher?.clientId ?? BROKER_PUBLISHER,
    matched,
  };
  if (msg.properties !== undefined) event.properties = msg.properties;
  const accountName = publisher?.principal.accountName;
  if (accountName !== undefined) event.accountName = accountName;
  return event;
}
