import type { Logger } from 'pino';

export interface RenewalSchedulerOptions {
  /** One maintenance pass: renew due server certificates, refresh CRLs. */
  runOnce: () => Promise<void>;
  intervalMs: number;
  logger?: Logger;
}

/** Runs the maintenance pass now and then every `intervalMs`, never overlapping itself. */
export class RenewalScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: RenewalSchedulerOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
    void this.tick();
  }

  /** Runs a pass unless one is in progress; resolves when the (current) pass has finished. */
  tick(): Promise<void> {
    if (!this.running) {
      this.running = this.options
        .runOnce()
        .catch((err: unknown) => this.options.logger?.error({ err }, 'PKI maintenance pass failed'))
        .finally(() => {
          this.running = undefined;
        });
    }
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
