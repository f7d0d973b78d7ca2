import type { Socket } from 'node:net';

/** Live client sockets of one listener plus totals of bytes moved by sockets already closed. */
export class ConnectionTracker {
  private readonly live = new Set<Socket>();
  private closedBytesIn = 0;
  private closedBytesOut = 0;
  totalConnections = 0;
  refusedConnections = 0;

  track(socket: Socket): void {
    this.live.add(socket);
    this.totalConnections++;
    socket.once('close', () => {
      this.live.delete(socket);
      this.closedBytesIn += socket.bytesRead;
      this.closedBytesOut += socket.bytesWritten;
    });
  }

  get count(): number {
    return this.live.size;
  }

  bytes(): { bytesIn: number; bytesOut: number } {
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
}
