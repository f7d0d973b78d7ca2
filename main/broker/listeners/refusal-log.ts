import type { Logger } from 'pino';

const WINDOW_MS = 1000;
const LINES_PER_WINDOW = 5;

/**
 * Warns about refused connections without letting a flood of them flood the log: a few lines per
 * second, then one line saying how many more were refused.
 */
export class RefusalLog {
  private windowStart = 0;
  private lines = 0;
  private suppressed = 0;

  constructor(private readonly logger: Logger) {}

  warn(details: Record<string, unknown>, message: string): void {
    const now = Date.now();
    if (now - this.windowStart >= WINDOW_MS) {
      if (this.suppressed > 0) {
        this.logger.warn({ suppressed: this.suppressed }, `${this.suppressed} more connections refused`);
      }
      this.windowStart = now;
      this.lines = 0;
      this.suppressed = 0;
    }
    if (this.lines < LINES_PER_WINDOW) {
      this.lines++;
      this.logger.warn(details, message);
    } else this.suppressed++;
  }
}
