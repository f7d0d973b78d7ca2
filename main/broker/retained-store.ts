import type { Message } from './message';
import { isLiteralFilter, topicMatches } from './topics';

export interface RetainedEntry {
  message: Message;
  storedAt: number;
}

/** Retained messages by internal topic. Literal filters are a lookup; wildcard filters scan. */
export class RetainedStore {
  private readonly byTopic = new Map<string, RetainedEntry>();

  get size(): number {
    return this.byTopic.size;
  }

  set(message: Message, storedAt: number): void {
    this.byTopic.set(message.topic, { message, storedAt });
  }

  delete(topic: string): boolean {
    return this.byTopic.delete(topic);
  }

  /** Live (unexpired) entries matching an internal filter; expired ones are removed on the way. */
  match(filter: string, now: number, onExpired: (topic: string) => void): RetainedEntry[] {
    const out: RetainedEntry[] = [];
    if (isLiteralFilter(filter)) {
      const entry = this.byTopic.get(filter);
      if (entry) this.keepIfLive(entry, now, out, onExpired);
      return out;
    }
    for (const entry of this.byTopic.values()) {
      if (topicMatches(filter, entry.message.topic)) this.keepIfLive(entry, now, out, onExpired);
    }
    return out;
  }

  entries(): IterableIterator<RetainedEntry> {
    return this.byTopic.values();
  }

  private keepIfLive(
    entry: RetainedEntry,
    now: number,
    out: RetainedEntry[],
    onExpired: (t: string) => void,
  ) {
    const expiresAt = entry.message.expiresAt;
    if (expiresAt > 0 && expiresAt <= now) {
      this.byTopic.delete(entry.message.topic);
      onExpired(entry.message.topic);
      return;
    }
    out.push(entry);
  }
}
