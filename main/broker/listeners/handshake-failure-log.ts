import type { HandshakeFailure } from './types';

/** Bounded ring of the most recent failed TLS handshakes, oldest dropped first. */
export class HandshakeFailureLog {
  private readonly entries: HandshakeFailure[] = [];

  constructor(private readonly capacity = 500) {}

  add(failure: HandshakeFailure): void {
    this.entries.push(failure);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
  }

  /** Oldest first; optionally only one listener's. */
  list(listenerId?: string): HandshakeFailure[] {
    return listenerId ? this.entries.filter((f) => f.listenerId === listenerId) : [...this.entries];
  }
}
