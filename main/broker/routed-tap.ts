import type { Logger } from 'pino';
import type { ClientRef } from './hooks';
import type { Message } from './message';
import { RateLimitedObservers } from './rate-limited-observers';
import type { RoutedEvent, RoutedOptions, RoutedSubscription } from './types';

/** Client id reported for messages no client published (platform publishes, $SYS). */
export const BROKER_PUBLISHER = '(broker)';

/**
 * Every message the broker accepted and routed (client publishes that passed authorization and
 * interception, wills, platform publishes, $SYS), for the topic explorer. Separate from the packet
 * tap so outbound deliveries never eat into its budget. With no observer, callers pay one boolean
 * check (`active`); over budget, messages are dropped and counted per observer.
 */
export class RoutedHub {
  private readonly observers: RateLimitedObservers<RoutedEvent>;

  constructor(
    private readonly now: () => number,
    logger: Logger,
  ) {
    this.observers = new RateLimitedObservers(logger, 'routed-message observer');
  }

  get active(): boolean {
    return this.observers.active;
  }

  attach(fn: (e: RoutedEvent) => void, opts: RoutedOptions = {}): RoutedSubscription {
    const max = opts.maxMessagesPerSecond ?? 10_000;
    if (!Number.isFinite(max) || max <= 0) {
      throw new RangeError(`maxMessagesPerSecond must be a positive number, got ${max}`);
    }
    return this.observers.add(fn, max);
  }

  routed(msg: Message, publisher: ClientRef | null, matched: number): void {
    const now = this.now();
    this.observers.emit(now, () => toEvent(msg, publisher, matched, now));
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
