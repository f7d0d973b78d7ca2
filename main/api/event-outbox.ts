import { type EventName, events as eventSpecs } from '../../preload/contract';

export interface EventBatch {
  events: Array<[EventName, unknown]>;
  /** Stream events dropped for this client since it connected, because it did not keep up. */
  dropped: number;
}

export interface EventOutboxOptions {
  /** Hands one batch to the transport. */
  send(batch: EventBatch): void;
  /** False while the transport is backed up; events then wait (bounded) instead of piling into socket buffers. */
  writable(): boolean;
  maxQueuedStreamEvents?: number;
  flushIntervalMs?: number;
}

/**
 * Per-client event buffer: coalesces `latest` events, bounds `stream` events (drop-oldest, counted),
 * and flushes in batches so a slow or stuck UI costs bounded memory.
 */
export class EventOutbox {
  private readonly subscribed = new Set<EventName>();
  private readonly latest = new Map<EventName, unknown>();
  private stream: Array<[EventName, unknown]> = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  dropped = 0;

  constructor(private readonly options: EventOutboxOptions) {}

  subscribe(names: readonly EventName[]): void {
    for (const name of names) this.subscribed.add(name);
  }

  unsubscribe(names: readonly EventName[]): void {
    for (const name of names) {
      this.subscribed.delete(name);
      this.latest.delete(name);
    }
  }

  push(name: EventName, data: unknown): void {
    if (this.closed || !this.subscribed.has(name)) return;
    if (eventSpecs[name].delivery === 'latest') {
      this.latest.set(name, data);
    } else {
      this.stream.push([name, data]);
      const max = this.options.maxQueuedStreamEvents ?? 5000;
      if (this.stream.length > max) {
        const excess = this.stream.length - max;
        this.stream.splice(0, excess);
        this.dropped += excess;
      }
    }
    this.schedule();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.stream = [];
    this.latest.clear();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => this.flush(), this.options.flushIntervalMs ?? 50);
  }

  private flush(): void {
    this.timer = undefined;
    if (this.closed) return;
    if (!this.options.writable()) {
      this.schedule();
      return;
    }
    if (this.latest.size === 0 && this.stream.length === 0) return;
    const batch: EventBatch = { events: [...this.latest.entries(), ...this.stream], dropped: this.dropped };
    this.latest.clear();
    this.stream = [];
    this.options.send(batch);
  }
}
