import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const TOKEN_FILE = 'operator-token';
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,}$/;
/** How often a running Fieldbench looks for a token rotated by `fieldbench token rotate`. */
const WATCH_INTERVAL_MS = 500;

function tokenFile(dataDir: string): string {
  return path.join(dataDir, TOKEN_FILE);
}

function readToken(file: string): string | undefined {
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    return TOKEN_PATTERN.test(existing) ? existing : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return undefined;
  }
}

/** Writes a fresh token owner-only, replacing the file in one step (a reader never sees half a token). */
function writeNewToken(file: string): string {
  const token = crypto.randomBytes(32).toString('base64url');
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${token}\n`, { mode: 0o600 });
  fs.chmodSync(temporary, 0o600);
  fs.renameSync(temporary, file);
  return token;
}

/** The per-data-dir secret that the headless UI must present; created once, owner-only. */
export function loadOrCreateOperatorToken(dataDir: string): string {
  const file = tokenFile(dataDir);
  return readToken(file) ?? writeNewToken(file);
}

/** Replaces the token (e.g. `fieldbench token rotate`); a running Fieldbench notices and ends old sessions. */
export function rotateOperatorToken(dataDir: string): string {
  return writeNewToken(tokenFile(dataDir));
}

/**
 * The operator token of a running Fieldbench: rotated from the UI, or from the CLI while it runs (the
 * file is watched). Listeners hear of every change, to end sessions opened with the old token.
 */
export class OperatorToken {
  private token: string;
  private readonly listeners = new Set<() => void>();
  private readonly file: string;
  private watching = false;

  constructor(dataDir: string) {
    this.file = tokenFile(dataDir);
    this.token = loadOrCreateOperatorToken(dataDir);
  }

  current(): string {
    return this.token;
  }

  rotate(): string {
    this.token = writeNewToken(this.file);
    this.changed();
    return this.token;
  }

  /** Calls `listener` after each rotation; starts watching the file for rotations by another process. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    if (!this.watching) {
      this.watching = true;
      fs.watchFile(this.file, { interval: WATCH_INTERVAL_MS, persistent: false }, () => this.reload());
    }
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.watching) fs.unwatchFile(this.file);
    this.watching = false;
    this.listeners.clear();
  }

  private reload(): void {
    const onDisk = readToken(this.file);
    if (onDisk === undefined || onDisk === this.token) return;
    this.token = onDisk;
    this.changed();
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}

/** Constant-time comparison so the token cannot be guessed byte by byte. */
export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
