import type { Socket } from 'node:net';
import type { Admission, BrokerLimits } from '../types';

export type AddressLimits = Pick<
  BrokerLimits,
  'maxConnectionsPerAddress' | 'maxUnauthenticatedPerAddress' | 'maxPendingBytesPerAddress'
>;

/** What one remote address holds right now, across every listener. */
interface AddressUsage {
  open: number;
  unauthenticated: number;
  pendingBytes: number;
}

/** One accepted socket's share of its address's usage; released once, when the raw socket closes. */
class Ticket implements Admission {
  unauthenticated = true;
  bytes = 0;

  constructor(
    readonly address: string,
    readonly usage: AddressUsage,
    private readonly guard: AddressGuard,
  ) {}

  received(bytes: number): boolean {
    if (!this.unauthenticated) return true;
    this.bytes += bytes;
    this.usage.pendingBytes += bytes;
    const limit = this.guard.limits().maxPendingBytesPerAddress;
    return limit === 0 || this.usage.pendingBytes <= limit;
  }

  authenticated(): void {
    if (!this.unauthenticated) return;
    this.unauthenticated = false;
    this.usage.unauthenticated--;
    this.usage.pendingBytes -= this.bytes;
    this.bytes = 0;
  }

  release(): void {
    this.authenticated();
    this.usage.open--;
    if (this.usage.open === 0) this.guard.forget(this.address);
  }
}

const TICKET = Symbol('fieldbench.admission');
type GuardedSocket = Socket & { [TICKET]?: Ticket };

function onRawClose(this: GuardedSocket): void {
  const ticket = this[TICKET];
  this[TICKET] = undefined;
  ticket?.release();
}

export type Refusal = 'too-many-connections' | 'too-many-unauthenticated';

/**
 * Bounds what one remote address can make the process hold, whatever the listener: open sockets
 * (counted from accept, so TLS handshakes and WebSocket upgrades in progress count), sockets that have
 * not reached CONNACK, and the bytes those have sent. Shared by all listeners of a manager.
 */
export class AddressGuard {
  private readonly usage = new Map<string, AddressUsage>();

  constructor(readonly limits: () => AddressLimits) {}

  /** Admits a freshly accepted socket, or says why it must be refused. */
  admit(raw: Socket): Admission | Refusal {
    const address = raw.remoteAddress ?? 'unknown';
    const limits = this.limits();
    let usage = this.usage.get(address);
    if (usage === undefined) {
      usage = { open: 0, unauthenticated: 0, pendingBytes: 0 };
      this.usage.set(address, usage);
    }
    if (limits.maxConnectionsPerAddress > 0 && usage.open >= limits.maxConnectionsPerAddress) {
      return 'too-many-connections';
    }
    if (
      limits.maxUnauthenticatedPerAddress > 0 &&
      usage.unauthenticated >= limits.maxUnauthenticatedPerAddress
    ) {
      return 'too-many-unauthenticated';
    }
    const ticket = new Ticket(address, usage, this);
    usage.open++;
    usage.unauthenticated++;
    (raw as GuardedSocket)[TICKET] = ticket;
    raw.on('close', onRawClose);
    return ticket;
  }

  /** Usage of one address (for tests and diagnostics). */
  usageOf(address: string): Readonly<AddressUsage> {
    return this.usage.get(address) ?? { open: 0, unauthenticated: 0, pendingBytes: 0 };
  }

  forget(address: string): void {
    const usage = this.usage.get(address);
    if (usage !== undefined && usage.open === 0) this.usage.delete(address);
  }
}

function ticketOf(socket: Socket): Ticket | undefined {
  const guarded = socket as GuardedSocket & { _parent?: GuardedSocket };
  return guarded[TICKET] ?? guarded._parent?.[TICKET];
}

/** The admission of an accepted socket, also when it is the TLS socket wrapped around it. */
export function admissionOf(socket: Socket): Admission | undefined {
  return ticketOf(socket);
}

/**
 * For a framed transport (WebSocket) the broker sees bytes only once a frame is complete, so until CONNACK
 * they are counted as they arrive on the socket, incomplete frames included; over the budget the socket is
 * destroyed. The broker gets an admission that only hears of CONNACK.
 */
export function admissionCountingSocket(socket: Socket, onOver: () => void): Admission | undefined {
  const ticket = ticketOf(socket);
  if (!ticket) return undefined;
  const onData = (chunk: Buffer) => {
    if (ticket.received(chunk.length)) return;
    onOver();
    socket.destroy();
  };
  socket.on('data', onData);
  return {
    received: () => true,
    authenticated: () => {
      socket.off('data', onData);
      ticket.authenticated();
    },
  };
}
