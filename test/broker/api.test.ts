import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from '../../main/api/event-bus';
import type { CallContext } from '../../main/api/handlers';
import { createBrokerHandlers, startBrokerEvents, type TapEvent } from '../../main/broker';
import { brokerMethods } from '../../preload/contract/broker';
import { connect, endAll, type Received } from '../helpers/mqtt-client';
import { startBroker } from '../helpers/test-broker';
import { waitFor } from '../helpers/wait-for';

const ctx: CallContext = { transport: 'internal', actor: 'test' };

/** Calls a handler the way the transports do: request parsed by the contract, response checked. */
async function call<M extends keyof typeof brokerMethods>(
  handlers: ReturnType<typeof createBrokerHandlers>,
  method: M,
  request: unknown,
): Promise<unknown> {
  const spec = brokerMethods[method];
  const parsed = spec.request.parse(request);
  const result = await (handlers[method] as (r: unknown, c: CallContext) => unknown)(parsed, ctx);
  return spec.response.parse(result);
}

test('operator API: clients, sessions, retained, stats and disconnect through the contract', async () => {
  const tb = await startBroker();
  try {
    const handlers = createBrokerHandlers(tb.broker);
    const a = await connect(tb.url, { clientId: 'api-a', protocolVersion: 5 });
    await a.subscribeAsync('api/#', { qos: 1 });
    const b = await connect(tb.url, { clientId: 'api-b', clean: false });
    await b.subscribeAsync('api/x', { qos: 1 });
    await a.publishAsync('api/r', 'retained-payload', {
      qos: 1,
      retain: true,
      properties: { contentType: 'text/plain' },
    });

    const clients = (await call(handlers, 'broker.listClients', {})) as {
      clients: { clientId: string }[];
      total: number;
    };
    assert.equal(clients.total, 2);
    assert.deepEqual(clients.clients.map((c) => c.clientId).sort(), ['api-a', 'api-b']);

    const sessions = (await call(handlers, 'broker.listSessions', {})) as {
      sessions: { clientId: string; subscriptions: { filter: string }[]; persistent: boolean }[];
    };
    const sb = sessions.sessions.find((s) => s.clientId === 'api-b')!;
    assert.equal(sb.persistent, true);
    assert.deepEqual(sb.subscriptions, [{ filter: 'api/x', qos: 1 }]);

    const retained = (await call(handlers, 'broker.listRetained', { filter: 'api/#', previewBytes: 8 })) as {
      messages: { topic: string; payloadPreview: string; truncated: boolean; contentType?: string }[];
    };
    assert.equal(retained.messages.length, 1);
    assert.equal(Buffer.from(retained.messages[0]!.payloadPreview, 'base64').toString(), 'retained');
    assert.equal(retained.messages[0]!.truncated, true);
    assert.equal(retained.messages[0]!.contentType, 'text/plain');

    const stats = (await call(handlers, 'broker.stats', {})) as {
      clientsConnected: number;
      retained: number;
    };
    assert.equal(stats.clientsConnected, 2);
    assert.equal(stats.retained, 1);

    assert.deepEqual(await call(handlers, 'broker.clearRetained', { topic: 'api/r' }), { cleared: true });
    assert.equal(tb.broker.retained().length, 0);

    const closed = new Promise<void>((resolve) => a.once('disconnect', () => resolve()));
    assert.deepEqual(
      await call(handlers, 'broker.disconnectClient', { clientId: 'api-a', reasonString: 'bye' }),
      {
        disconnected: true,
      },
    );
    await closed;
    assert.deepEqual(await call(handlers, 'broker.disconnectClient', { clientId: 'nobody' }), {
      disconnected: false,
    });
    await endAll(a, b);
  } finally {
    await tb.close();
  }
});

test('operator events: broker.stats about once a second with rates, broker.clients on connect/disconnect', async () => {
  const tb = await startBroker();
  try {
    const bus = new EventBus();
    const seen: { name: string; data: unknown }[] = [];
    bus.subscribe((name, data) => seen.push({ name, data }));
    const stop = startBrokerEvents(tb.broker, bus, 200);
    const c = await connect(tb.url, { clientId: 'evt' });
    const got: Received[] = [];
    const s = await connect(tb.url, {}, got);
    await s.subscribeAsync('rate/#');
    for (let i = 0; i < 500; i++) c.publish('rate/x', 'm');
    await waitFor(() => got.length === 500, 'got.length === 500');
    await endAll(c);
    await waitFor(
      () =>
        seen.some(
          (e) => e.name === 'broker.clients' && (e.data as { change: string }).change === 'disconnected',
        ),
      "seen.some( (e) => e.name === 'broker.clients' && (e.data as { change: string }).change === 'disconnected', )",
    );
    await waitFor(
      () =>
        seen.some(
          (e) =>
            e.name === 'broker.stats' && (e.data as { rates: { messagesIn: number } }).rates.messagesIn > 0,
        ),
      'a stats event with a message rate',
      5000,
    );
    const connected = seen.find((e) => e.name === 'broker.clients') as {
      data: { clientId: string; change: string };
    };
    assert.equal(connected.data.change, 'connected');
    stop();
    await endAll(s);
  } finally {
    await tb.close();
  }
});

test('tap: sees packets both ways with payloads, is rate-limited, and stops when detached', async () => {
  // The rate limit's one-second window follows the broker clock, which only the test moves.
  let now = Date.now();
  const tb = await startBroker({ allowAnonymous: true, now: () => now });
  try {
    const events: TapEvent[] = [];
    const detach = tb.broker.tap.attach((e) => events.push(e), { maxEventsPerSecond: 50 });
    const got: Received[] = [];
    const sub = await connect(tb.url, { clientId: 'tap-sub' }, got);
    await sub.subscribeAsync('tap/#', { qos: 1 });
    const pub = await connect(tb.url, { clientId: 'tap-pub' });
    await pub.publishAsync('tap/x', 'observed', { qos: 1 });
    await waitFor(
      () => events.some((e) => e.direction === 'out' && e.type === 'publish'),
      "events.some((e) => e.direction === 'out' && e.type === 'publish')",
    );
    const inbound = events.find((e) => e.direction === 'in' && e.type === 'publish')!;
    assert.equal(inbound.clientId, 'tap-pub');
    assert.equal(inbound.topic, 'tap/x');
    assert.equal(inbound.qos, 1);
    assert.equal(inbound.payload?.toString(), 'observed');
    assert.equal(inbound.listenerId, 't');
    const outbound = events.find((e) => e.direction === 'out' && e.type === 'publish')!;
    assert.equal(outbound.clientId, 'tap-sub');
    assert.ok(events.some((e) => e.type === 'puback'));

    now += 1000;
    events.length = 0;
    for (let i = 0; i < 400; i++) pub.publish('tap/flood', 'x');
    await waitFor(() => got.filter((m) => m.topic === 'tap/flood').length === 400, 'the flood delivered');
    assert.equal(events.length, 50, 'rate limited to 50 of 800 packets in one second');
    detach();
    now += 1000;
    events.length = 0;
    await pub.publishAsync('tap/after', 'x', { qos: 1 });
    await waitFor(() => got.some((m) => m.topic === 'tap/after'), 'the message after detaching');
    assert.equal(events.length, 0);
    await endAll(sub, pub);
  } finally {
    await tb.close();
  }
});

test('lifecycle events: connected, subscribed, published, disconnected with causes', async () => {
  const tb = await startBroker();
  try {
    const log: string[] = [];
    tb.broker.events.on('client.connected', (e) =>
      log.push(`connected ${e.client.clientId} v${e.protocolVersion}`),
    );
    tb.broker.events.on('subscribed', (e) => log.push(`subscribed ${e.subscriptions.map((s) => s.filter)}`));
    tb.broker.events.on('message.published', (e) => log.push(`published ${e.topic}`));
    tb.broker.events.on('client.disconnected', (e) =>
      log.push(`disconnected ${e.client.clientId} ${e.cause}`),
    );
    const c = await connect(tb.url, { clientId: 'life', protocolVersion: 5 });
    await c.subscribeAsync('life/#');
    await c.publishAsync('life/x', 'y', { qos: 1 });
    await c.endAsync();
    await waitFor(() => log.length === 4, 'log.length === 4');
    assert.deepEqual(log, [
      'connected life v5',
      'subscribed life/#',
      'published life/x',
      'disconnected life normal',
    ]);
  } finally {
    await tb.close();
  }
});
