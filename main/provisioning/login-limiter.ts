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
  ) {}

  /** Runs `check` when a slot is free; null (without running it) when too many are already waiting. */
  run<T>(check: () => Promise<T>): Promise<T> | null {
    if (this.running >= this.concurrency && this.waiting.length >= this.maxWaiting) return null;
    return this.acquire().then(async () => {
      try {
        return await check();
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
