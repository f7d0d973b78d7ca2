import type { LogEntry } from '../../preload/contract/system';

const levelRank: Record<LogEntry['level'], number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};

export function levelAtLeast(level: LogEntry['level'], min: LogEntry['level']): boolean {
  return levelRank[level] >= levelRank[min];
}

/** The last N log entries, kept in memory for the System page's live tail. */
export class LogRing {
  private readonly entries: LogEntry[] = [];
  private readonly listeners = new Set<(entry: LogEntry) => void>();

  constructor(private readonly capacity = 2000) {}

  push(entry: LogEntry): void {
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    for (const listener of this.listeners) listener(entry);
  }

  recent(minLevel: LogEntry['level'], limit: number): LogEntry[] {
    const matching = this.entries.filter((e) => levelAtLeast(e.level, minLevel));
    return matching.slice(-limit);
  }

  onEntry(listener: (entry: LogEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
