import fs from 'node:fs';

/**
 * Appends log lines to a file and rotates it by size (`app.log` → `app.log.1` … `.N`).
 * Synchronous on purpose: log lines are small and losing the last lines before a crash is worse.
 */
export class RotatingFile {
  private fd: number;
  private size: number;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly maxBytes = 5 * 1024 * 1024,
    private readonly keep = 3,
  ) {
    this.fd = fs.openSync(file, 'a', 0o600);
    this.size = fs.fstatSync(this.fd).size;
  }

  write(line: string): void {
    // A late line from a component still shutting down must not crash the process.
    if (this.closed) return;
    const bytes = Buffer.byteLength(line);
    if (this.size + bytes > this.maxBytes && this.size > 0) this.rotate();
    fs.writeSync(this.fd, line);
    this.size += bytes;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }

  private rotate(): void {
    fs.closeSync(this.fd);
    for (let i = this.keep - 1; i >= 1; i--) {
      const from = `${this.file}.${i}`;
      if (fs.existsSync(from)) fs.renameSync(from, `${this.file}.${i + 1}`);
    }
    fs.renameSync(this.file, `${this.file}.1`);
    this.fd = fs.openSync(this.file, 'a', 0o600);
    this.size = 0;
  }
}
