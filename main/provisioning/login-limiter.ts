/**
 * Bounds the password checks (scrypt) that provisioning logins may have running or waiting. A burst of
 * devices beyond that is refused at once as "server busy" (they retry after their retry interval)
 * instead of queueing scrypt work past the broker's CONNECT timeout, where it would be wasted.
 */
export class LoginLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency = 4,
    private readonly maxWaiting = 64,
    /** A check that waited longer is not run: its CONNECT is about to time out anyway. */
    private readonly maxWaitMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Runs `check` when a slot is free. Null (without running it) when too many are already waiting, or
   * when it waited longer than `maxWaitMs` for its turn.
   */
  run<T>(check: () => Promise<T>): Promise<T | null> | null {
    if (this.running >= this.concurrency && this.waiting.length >= this.maxWaiting) return null;
    const queuedAt = this.now();
    return this.acquire().then(async () => {
      try {
        return this.now() - queuedAt > this.maxWaitMs ? null : await check();
      } finally {
        this.release();
      }
    });
  }

  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  private acquire(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
