import type { Connection } from './connection';
import type { ClientRef, Principal } from './hooks';
import type { Message, OutMessage } from './message';
import type { Subscription } from './subscription';

/** Session Expiry Interval meaning "never expires" (and what 3.1.1 persistent sessions get). */
export const NEVER_EXPIRES = 0xffffffff;

export interface PendingWill {
  message: Message;
  client: ClientRef;
  /** Epoch ms when it is published unless the client comes back first. */
  dueAt: number;
  timer: NodeJS.Timeout | null;
}

/**
 * Server-side session state. Everything but the identity is allocated on first use, so the
 * session of an idle client that never subscribed costs a handful of fields.
 */
export class Session {
  conn: Connection | null = null;
  subs: Map<string, Subscription> | null = null;
  /** Owed QoS 1/2 messages not yet sent, oldest first. */
  queue: OutMessage[] | null = null;
  inflight: Map<number, OutMessage> | null = null;
  inboundQos2: Set<number> | null = null;
  /** Seconds; 0 ends the session with the connection. */
  expiryInterval = 0;
  disconnectedAt = 0;
  dropped = 0;
  will: PendingWill | null = null;
  /** Whether the store holds a row for this session. */
  stored = false;
  ended = false;
  private nextPacketId = 1;
  private nextSeqNo = 1;

  constructor(
    /** Namespace prefix + client id: unique across accounts. */
    readonly key: string,
    readonly clientId: string,
    public principal: Principal,
    public protocolVersion: 3 | 4 | 5,
  ) {}

  get persistent(): boolean {
    return this.expiryInterval > 0;
  }

  get subscriptionCount(): number {
    return this.subs?.size ?? 0;
  }

  get queuedCount(): number {
    return this.queue?.length ?? 0;
  }

  get inflightCount(): number {
    return this.inflight?.size ?? 0;
  }

  nextSeq(): number {
    return this.nextSeqNo++;
  }

  /** Continues numbering after messages restored from the store. */
  bumpSeq(seq: number): void {
    if (seq >= this.nextSeqNo) this.nextSeqNo = seq + 1;
  }

  /** A packet id not used by any in-flight message; 0 when all 65535 are taken. */
  allocatePacketId(): number {
    this.inflight ??= new Map();
    const inflight = this.inflight;
    if (inflight.size >= 65535) return 0;
    let id = this.nextPacketId;
    while (inflight.has(id)) id = id === 65535 ? 1 : id + 1;
    this.nextPacketId = id === 65535 ? 1 : id + 1;
    return id;
  }
}

/**
 * Persistent sessions per account namespace, for the per-account quota. Sessions are added when
 * they become persistent and removed when they end; both are idempotent.
 */
export class PersistentSessionIndex {
  private readonly byPrefix = new Map<string, Set<Session>>();

  /** Records whether the session is persistent now (root-namespace sessions are not counted). */
  update(session: Session): void {
    const prefix = session.principal.topicPrefix;
    if (prefix.length === 0) return;
    if (session.persistent && !session.ended) {
      let set = this.byPrefix.get(prefix);
      if (set === undefined) {
        set = new Set();
        this.byPrefix.set(prefix, set);
      }
      set.add(session);
    } else this.remove(session);
  }

  remove(session: Session): void {
    const prefix = session.principal.topicPrefix;
    const set = this.byPrefix.get(prefix);
    if (set?.delete(session) && set.size === 0) this.byPrefix.delete(prefix);
  }

  countIn(prefix: string): number {
    return this.byPrefix.get(prefix)?.size ?? 0;
  }

  has(session: Session | undefined): boolean {
    return session !== undefined && (this.byPrefix.get(session.principal.topicPrefix)?.has(session) ?? false);
  }
}
