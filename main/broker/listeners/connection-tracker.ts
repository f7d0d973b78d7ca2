import type { Socket } from 'node:net';

/**
 * Live client sockets of one listener plus totals of bytes moved by sockets already closed.
 * Closed sockets are swept lazily (amortised O(1) per add, and before counting) rather than
 * through a 'close' listener: a `once` wrapper and closure cost ~300 B per idle connection.
 */
export class ConnectionTracker {
  private readonly live = new Set<Socket>();
  private sizeAfterSweep = 0;
  private closedBytesIn = 0;
  private closedBytesOut = 0;
  totalConnections = 0;
  refusedConnections = 0;

  track(socket: Socket): void {
    this.live.add(socket);
    this.totalConnections++;
    if (this.live.size > 2 * this.sizeAfterSweep + 64) this.sweep();
  }

  get count(): number {
    this.sweep();
    return this.live.size;
  }

  bytes(): { bytesIn: number; bytesOut: number } {
    this.sweep();
    let bytesIn = this.closedBytesIn;
    let bytesOut = this.closedBytesOut;
    for (const socket of this.live) {
      bytesIn += socket.bytesRead;
      bytesOut += socket.bytesWritten;
    }
    return { bytesIn, bytesOut };
  }

  destroyAll(): void {
    for (const socket of this.live) socket.destroy();
  }

  /** Byte counters stay readable after destroy (net keeps them when it releases the handle). */
  private sweep(): void {
    for (const socket of this.live) {
      if (!socket.destroyed) continue;
      this.live.delete(socket);
      this.closedBytesIn += socket.bytesRead;
      this.closedBytesOut += socket.bytesWritten;
    }
    this.sizeAfterSweep = this.live.size;
  }
}
