import type { Socket } from 'node:net';

/**
 * Every socket a server accepted, including TLS handshakes and HTTP requests still in progress,
 * so stopping a listener can end them all. A TLS server's raw socket emits no events once wrapped,
 * so closed ones are swept lazily (amortised O(1) per add) instead of on 'close'.
 */
export class RawSocketSet {
  private readonly sockets = new Set<Socket>();
  private sizeAfterSweep = 0;

  add(socket: Socket): void {
    this.sockets.add(socket);
    if (this.sockets.size > 2 * this.sizeAfterSweep + 64) {
      for (const s of this.sockets) if (s.destroyed) this.sockets.delete(s);
      this.sizeAfterSweep = this.sockets.size;
    }
  }

  get size(): number {
    return this.sockets.size;
  }

  destroyAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.sizeAfterSweep = 0;
  }
}
