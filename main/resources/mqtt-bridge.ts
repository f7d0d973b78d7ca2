import type { Logger } from 'pino';
import type { Broker } from '../broker';
import type { AuthorizeResult, ClientRef, DeliveryMessage, Principal } from '../broker/hooks';
import type { ResourceAccess } from './access';
import { ResourceError } from './errors';
import type { ResourceHub } from './hub';
import type { ResourceKeys } from './keys';
import { isResourceTopic, parseResourceAddress, type ResourceAddress } from './paths';
import type { ResourceService } from './service';

const NOT_AUTHORIZED = 0x87;
const TOPIC_NAME_INVALID = 0x90;
const TOPIC_FILTER_INVALID = 0x8f;
/** Every resource root, with and without the leading slash. */
const INTERCEPTED = ['thngs', 'products', 'collections', 'actions', 'batches'].flatMap((root) => [
  root,
  `${root}/#`,
  `/${root}`,
  `/${root}/#`,
]);
const RECONCILE_MS = 60_000;

interface SessionSub {
  address: ResourceAddress;
  qos: number;
}

interface FilterEntry {
  sessions: Set<string>;
  remove(): void;
}

const sessionKeyOf = (client: Pick<ClientRef, 'clientId' | 'principal'>) =>
  `${client.principal.topicPrefix}\u0000${client.clientId}`;

/** The resource API over MQTT for clients that logged in with an API key (username `authorization`). */
export class MqttResourceBridge {
  private broker: Broker | undefined;
  private readonly accessByClient = new WeakMap<
    ClientRef,
    { generation: number; access: ResourceAccess | null }
  >();
  private generation = 0;
  /** Payloads meant for one session only (`pubStates`), by identity. */
  private readonly targeted = new WeakMap<Buffer, string>();
  /** The project of the resource a notification payload is about, by identity. */
  private readonly projectOfPayload = new WeakMap<Buffer, string | null>();
  private readonly bySession = new Map<string, Map<string, SessionSub>>();
  private readonly byFilter = new Map<string, FilterEntry>();
  private readonly maybeGone = new Set<string>();
  private readonly detachers: Array<() => void> = [];
  private refusedLogs = 0;
  private refusedMinute = 0;

  constructor(
    private readonly service: ResourceService,
    private readonly keys: ResourceKeys,
    private readonly hub: ResourceHub,
    private readonly logger: Logger,
    private readonly options: { maxKeepAliveSeconds: number; maxPayloadBytes: number },
  ) {}

  /** Whether a hook call is for the resource API: an API-key client on a resource topic. */
  owns(client: ClientRef, topic: string): boolean {
    return client.principal.kind === 'api-key' && isResourceTopic(topic);
  }

  /** API-key logins get the resource API's keep alive cap (announced to MQTT 5 clients). */
  decorate(principal: Principal): Principal {
    if (principal.kind !== 'api-key' || this.options.maxKeepAliveSeconds <= 0) return principal;
    return { ...principal, maxKeepAlive: this.options.maxKeepAliveSeconds };
  }

  /** Access rights changed (key binding): recompute them on the next operation. */
  invalidate(): void {
    this.generation++;
  }

  authorizePublish(client: ClientRef, topic: string): AuthorizeResult {
    try {
      const address = parseResourceAddress(topic);
      this.service.checkWritable(this.requireAccess(client), address);
      return true;
    } catch (err) {
      return this.refused(client, 'publish', topic, err);
    }
  }

  authorizeSubscribe(client: ClientRef, filter: string): AuthorizeResult {
    try {
      this.service.checkReadable(this.requireAccess(client), parseResourceAddress(filter));
      return true;
    } catch (err) {
      return this.refused(client, 'subscribe', filter, err);
    }
  }

  authorizeDelivery(client: ClientRef, _topic: string, message: DeliveryMessage): boolean {
    const target = this.targeted.get(message.payload);
    if (target !== undefined && target !== sessionKeyOf(client)) return false;
    if (client.principal.kind !== 'api-key') return true;
    const access = this.accessOf(client);
    if (!access) return false;
    if (access.projectId !== null) {
      const project = this.projectOfPayload.get(message.payload);
      if (project !== undefined && project !== access.projectId) return false;
    }
    return true;
  }

  attach(broker: Broker): void {
    this.broker = broker;
    for (const filter of INTERCEPTED) {
      this.detachers.push(broker.intercept(filter, (client, message) => this.onPublish(client, message)));
    }
    const events = broker.events;
    this.detachers.push(
      events.on('subscribed', ({ client, subscriptions }) => {
        if (client.principal.kind !== 'api-key') return;
        for (const s of subscriptions) {
          if (s.granted < 0x80 && isResourceTopic(s.filter))
            this.addSubscription(client, s.filter, s.granted);
        }
      }),
      events.on('unsubscribed', ({ client, filters }) => {
        for (const filter of filters) this.removeSubscription(sessionKeyOf(client), filter);
      }),
      events.on('client.connected', ({ client, sessionPresent }) => {
        const key = sessionKeyOf(client);
        this.maybeGone.delete(key);
        if (!sessionPresent) this.dropSession(key);
        // After the broker has resumed the session (it re-sends what was in flight), not before.
        else
          setImmediate(() => {
            for (const [filter, sub] of this.bySession.get(key) ?? []) this.publishState(client, filter, sub);
          });
      }),
      events.on('client.disconnected', ({ client }) => {
        if (this.bySession.has(sessionKeyOf(client))) this.maybeGone.add(sessionKeyOf(client));
      }),
    );
    const timer = setInterval(() => this.reconcile(), RECONCILE_MS);
    timer.unref();
    this.detachers.push(() => clearInterval(timer));
  }

  close(): void {
    for (const detach of this.detachers.splice(0)) detach();
    for (const key of [...this.bySession.keys()]) this.dropSession(key);
  }

  /** Sessions that ended since they disconnected lose their resource subscriptions. */
  reconcile(): void {
    if (this.maybeGone.size === 0 || !this.broker) return;
    const alive = new Set(this.broker.sessions().map((s) => `${s.topicPrefix}\u0000${s.clientId}`));
    for (const key of this.maybeGone) if (!alive.has(key)) this.dropSession(key);
    this.maybeGone.clear();
  }

  private onPublish(client: ClientRef, message: { topic: string; payload: Buffer }): boolean {
    if (client.principal.kind !== 'api-key') return false;
    try {
      if (message.payload.length > this.options.maxPayloadBytes) {
        throw new ResourceError(413, `payload larger than ${this.options.maxPayloadBytes} bytes`);
      }
      let body: unknown;
      try {
        body = JSON.parse(message.payload.toString('utf8'));
      } catch {
        throw new ResourceError(400, 'payload is not valid JSON');
      }
      this.service.write(this.requireAccess(client), parseResourceAddress(message.topic), body);
    } catch (err) {
      const reason = err instanceof ResourceError ? err.message : 'internal error';
      if (!(err instanceof ResourceError)) this.logger.error({ err }, 'resource publish failed');
      this.logger.warn(
        { clientId: client.clientId, accountId: client.principal.accountId, topic: message.topic, reason },
        'resource publish dropped',
      );
    }
    return true;
  }

  private addSubscription(client: ClientRef, filter: string, qos: number): void {
    let address: ResourceAddress;
    try {
      address = parseResourceAddress(filter);
    } catch {
      return;
    }
    const key = sessionKeyOf(client);
    let subs = this.bySession.get(key);
    if (!subs) {
      subs = new Map();
      this.bySession.set(key, subs);
    }
    const sub = { address, qos };
    if (!subs.has(filter)) this.entryFor(client, filter, address).sessions.add(key);
    subs.set(filter, sub);
    if (address.pubStates) this.publishState(client, filter, sub);
  }

  private entryFor(client: ClientRef, filter: string, address: ResourceAddress): FilterEntry {
    const prefix = client.principal.topicPrefix;
    const id = `${prefix}\u0000${filter}`;
    const known = this.byFilter.get(id);
    if (known) return known;
    const sessions = new Set<string>();
    const remove = this.hub.add({
      accountId: client.principal.accountId ?? '',
      channel: address.channel,
      project: address.project,
      protocol: 'mqtt',
      deliver: (payload, _text, project) => {
        this.projectOfPayload.set(payload, project);
        this.broker?.publish({ topic: filter, payload, qos: 1 }, { topicPrefix: prefix }).catch((err) => {
          this.logger.error({ err, topic: filter }, 'could not publish a resource notification');
        });
      },
      describe: () => ({
        who: [...sessions].map((s) => s.slice(s.indexOf('\u0000') + 1)).join(', '),
        topic: filter,
        count: sessions.size,
      }),
    });
    const entry = { sessions, remove };
    this.byFilter.set(id, entry);
    return entry;
  }

  private removeSubscription(sessionKey: string, filter: string): void {
    const subs = this.bySession.get(sessionKey);
    if (!subs?.delete(filter)) return;
    if (subs.size === 0) this.bySession.delete(sessionKey);
    const id = `${sessionKey.slice(0, sessionKey.indexOf('\u0000'))}\u0000${filter}`;
    const entry = this.byFilter.get(id);
    if (!entry) return;
    entry.sessions.delete(sessionKey);
    if (entry.sessions.size === 0) {
      entry.remove();
      this.byFilter.delete(id);
    }
  }

  private dropSession(sessionKey: string): void {
    for (const filter of [...(this.bySession.get(sessionKey)?.keys() ?? [])]) {
      this.removeSubscription(sessionKey, filter);
    }
  }

  /** `?pubStates=1`: the current value, to this session only, without the retain flag. */
  private publishState(client: ClientRef, filter: string, sub: SessionSub): void {
    if (!sub.address.pubStates || !this.broker) return;
    let state: unknown;
    try {
      const access = this.accessOf(client);
      if (!access) return;
      this.service.checkReadable(access, sub.address);
      state = this.service.currentState(access, sub.address);
    } catch {
      return;
    }
    if (state === undefined) return;
    const payload = Buffer.from(JSON.stringify(state));
    this.targeted.set(payload, sessionKeyOf(client));
    this.broker
      .publish(
        { topic: filter, payload, qos: Math.min(sub.qos, 1) as 0 | 1 },
        { topicPrefix: client.principal.topicPrefix },
      )
      .catch((err) => this.logger.error({ err, topic: filter }, 'could not publish a resource state'));
  }

  private accessOf(client: ClientRef): ResourceAccess | null {
    const cached = this.accessByClient.get(client);
    if (cached && cached.generation === this.generation) return cached.access;
    const apiKeyId = client.principal.attributes?.['apiKeyId'];
    const access = typeof apiKeyId === 'string' ? this.keys.current(apiKeyId) : null;
    this.accessByClient.set(client, { generation: this.generation, access });
    return access;
  }

  private requireAccess(client: ClientRef): ResourceAccess {
    const access = this.accessOf(client);
    if (!access) throw new ResourceError(403, 'the API key is no longer usable');
    return access;
  }

  private refused(client: ClientRef, action: string, topic: string, err: unknown): AuthorizeResult {
    const malformed = err instanceof ResourceError && err.status === 400;
    const reason = err instanceof ResourceError ? err.message : String(err);
    // At most 100 refusal lines a minute: a misbehaving client cannot flood the log.
    const minute = Math.floor(Date.now() / 60_000);
    if (minute !== this.refusedMinute) {
      this.refusedMinute = minute;
      this.refusedLogs = 0;
    }
    if (++this.refusedLogs <= 100) {
      this.logger.warn(
        { clientId: client.clientId, accountId: client.principal.accountId, topic, reason },
        `resource ${action} refused`,
      );
    }
    const invalid = action === 'publish' ? TOPIC_NAME_INVALID : TOPIC_FILTER_INVALID;
    return { reasonCode: malformed ? invalid : NOT_AUTHORIZED, reasonString: `Not authorized: ${reason}` };
  }
}
