export type ResourceProtocol = 'mqtt' | 'ws';

/** Someone listening to one channel of one account: an MQTT topic filter or a native WebSocket. */
export interface HubSubscriber {
  readonly accountId: string;
  readonly channel: string;
  /** Only notifications about resources of this project (`?project=`), or all when null. */
  readonly project: string | null;
  readonly protocol: ResourceProtocol;
  /** `payload` is the notification as JSON, `text` the same as a string; `project` the resource's. */
  deliver(payload: Buffer, text: string, project: string | null): void;
  /** Who this is, for the operator's live view. */
  describe(): { who: string; topic: string; count: number };
}

/** Fans resource notifications out to the subscribers of a channel, one account at a time. */
export class ResourceHub {
  private readonly byAccount = new Map<string, Map<string, Set<HubSubscriber>>>();
  private errors = 0;

  constructor(private readonly onError: (err: unknown) => void) {}

  add(subscriber: HubSubscriber): () => void {
    let channels = this.byAccount.get(subscriber.accountId);
    if (!channels) {
      channels = new Map();
      this.byAccount.set(subscriber.accountId, channels);
    }
    let set = channels.get(subscriber.channel);
    if (!set) {
      set = new Set();
      channels.set(subscriber.channel, set);
    }
    set.add(subscriber);
    return () => this.remove(subscriber);
  }

  remove(subscriber: HubSubscriber): void {
    const channels = this.byAccount.get(subscriber.accountId);
    const set = channels?.get(subscriber.channel);
    if (!channels || !set) return;
    set.delete(subscriber);
    if (set.size === 0) channels.delete(subscriber.channel);
    if (channels.size === 0) this.byAccount.delete(subscriber.accountId);
  }

  /** Whether anyone listens to a channel (lets writers skip building notifications). */
  has(accountId: string, channel: string): boolean {
    return this.byAccount.get(accountId)?.has(channel) ?? false;
  }

  notify(accountId: string, project: string | null, channel: string, notification: unknown): void {
    const set = this.byAccount.get(accountId)?.get(channel);
    if (!set) return;
    const text = JSON.stringify(notification);
    const payload = Buffer.from(text);
    for (const subscriber of set) {
      if (subscriber.project !== null && subscriber.project !== project) continue;
      try {
        subscriber.deliver(payload, text, project);
      } catch (err) {
        if (++this.errors <= 10) this.onError(err);
      }
    }
  }

  subscribers(accountId?: string): HubSubscriber[] {
    const out: HubSubscriber[] = [];
    for (const [account, channels] of this.byAccount) {
      if (accountId !== undefined && account !== accountId) continue;
      for (const set of channels.values()) out.push(...set);
    }
    return out;
  }
}
