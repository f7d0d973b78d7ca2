import os from 'node:os';

/** Answer of a job the queue had no room for. */
export const BUSY: unique symbol = Symbol('busy');

export type HashPriority = 'high' | 'low';

export interface HashQueueOptions {
  /** Password hashes computed at once (each takes a libuv pool thread; the pool has four). */
  concurrency: number;
  /** Logins waiting for a hash, beyond which they are answered "server busy" at once. */
  maxQueued: number;
}

/** One hash per CPU core, at most three, so the libuv pool keeps a thread for file and DNS work. */
export const DEFAULT_HASH_QUEUE: HashQueueOptions = {
  concurrency: Math.max(1, Math.min(3, os.availableParallelism())),
  maxQueued: 64,
};

interface Waiting {
  start(): void;
  refuse(): void;
}

/**
 * Runs password hashes a few at a time with a bounded wait list, so a flood of bogus logins costs
 * a bounded amount of memory and cannot push real devices' logins past their connect timeout.
 * `high` jobs (known usernames from addresses without recent failures) go first and have a slot
 * `low` ones cannot take (with two or more); when the list is full, a `high` job takes the place of
 * the newest `low` one, which is answered BUSY.
 */
export class HashQueue {
  private running = 0;
  private runningLow = 0;
  /** `low` jobs never take the last slot (with two or more), so a known device need not wait for one. */
  private readonly lowSlots: number;
  private readonly high: Waiting[] = [];
  private readonly low: Waiting[] = [];
  /** Most jobs ever waiting at once (for tests and diagnostics). */
  peakQueued = 0;
  /** Jobs answered BUSY so far. */
  refused = 0;

  constructor(private readonly options: HashQueueOptions = DEFAULT_HASH_QUEUE) {
    this.lowSlots = Math.max(1, options.concurrency - 1);
  }

  private canStart(priority: HashPriority): boolean {
    return (
      this.running < this.options.concurrency && (priority === 'high' || this.runningLow < this.lowSlots)
    );
  }

  get queued(): number {
    return this.high.length + this.low.length;
  }

  run<T>(priority: HashPriority, job: () => Promise<T>): Promise<T | typeof BUSY> {
    return new Promise<T | typeof BUSY>((resolve, reject) => {
      const waiting: Waiting = {
        start: () => {
          this.running++;
          if (priority === 'low') this.runningLow++;
          job()
            .then(resolve, reject)
            .finally(() => {
              this.running--;
              if (priority === 'low') this.runningLow--;
              this.next();
            });
        },
        refuse: () => {
          this.refused++;
          resolve(BUSY);
        },
      };
      const ahead = priority === 'high' ? this.high.length : this.queued;
      if (ahead === 0 && this.canStart(priority)) return waiting.start();
      if (this.queued >= this.options.maxQueued) {
        if (priority === 'low' || this.low.length === 0) return waiting.refuse();
        this.low.pop()?.refuse();
      }
      (priority === 'high' ? this.high : this.low).push(waiting);
      this.peakQueued = Math.max(this.peakQueued, this.queued);
    });
  }

  private next(): void {
    while (this.high.length > 0 && this.canStart('high')) this.high.shift()!.start();
    while (this.low.length > 0 && this.canStart('low')) this.low.shift()!.start();
  }
}
