import type { Logger } from 'pino';

interface Observer<E> {
  fn: (e: E) => void;
  maxPerSecond: number;
  windowStart: number;
  inWindow: number;
  dropped: number;
}

export interface ObserverHandle {
  close(): void;
  /** Events this observer missed because it was over its budget. */
  readonly dropped: number;
}

/**
 * Observers that each get at most `maxPerSecond` events in a one-second window; the rest are counted,
 * never queued, so a slow observer cannot slow the broker. `active` is the one check callers pay when
 * nobody observes.
 */
export class RateLimitedObservers<E> {
  active = false;
  private observers: Observer<E>[] = [];

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  add(fn: (e: E) => void, maxPerSecond: number): ObserverHandle {
    const observer: Observer<E> = { fn, maxPerSecond, windowStart: 0, inWindow: 0, dropped: 0 };
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

  /** Summed over current observers. */
  get dropped(): number {
    return this.observers.reduce((n, o) => n + o.dropped, 0);
  }

  /** Hands the event to every observer with room in its window; `build` runs at most once. */
  emit(now: number, build: () => E): void {
    let event: E | undefined;
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
      event ??= build();
      try {
        o.fn(event);
      } catch (err) {
        this.logger.warn({ err }, `${this.what} threw`);
      }
    }
  }
}
