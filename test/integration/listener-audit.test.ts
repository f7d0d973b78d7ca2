import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startTestCore, type TestCore } from '../helpers/test-core';

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('listener changes through the operator API are in the audit log', { timeout: 60_000 }, () => {
  let tc: TestCore;
  const call: TestCore['call'] = (method, request) => tc.call(method, request);
  const listenerEntries = async () =>
    (await call('audit.query', { action: 'listeners.', limit: 100 })).entries.slice().reverse();

  before(async () => {
    tc = await startTestCore({ listeners: { mqttPort: 0 } });
  });
  after(async () => {
    await tc?.close();
  });

  test('create, update, stop, start and delete each leave one entry with who, how, which listener and its settings', async () => {
    const created = await call('listeners.create', {
      kind: 'mqtt',
      host: '127.0.0.1',
      port: 0,
      options: { maxConnections: 5 },
    });
    assert.equal(created.state, 'running');
    assert.ok(await accepts(created.boundPort!), 'the new listener accepts connections');

    const updated = await call('listeners.update', { id: created.id, options: { maxConnections: 9 } });
    const stopped = await call('listeners.stop', { id: created.id });
    assert.equal(stopped.state, 'stopped');
    assert.equal(await accepts(updated.boundPort!), false, 'the stopped listener refuses connections');
    const started = await call('listeners.start', { id: created.id });
    // The operator's browser talks over the WebSocket API; the entry says so.
    const removal = await tc.core.dispatch(
      'listeners.remove',
      { id: created.id },
      { transport: 'ws', actor: 'operator' },
    );
    assert.ok(removal.ok);

    const entries = await listenerEntries();
    assert.deepEqual(
      entries.map((e) => [e.action, e.target, e.actor, e.transport]),
      [
        ['listeners.create', `listener:${created.id}`, 'test', 'internal'],
        ['listeners.update', `listener:${created.id}`, 'test', 'internal'],
        ['listeners.stop', `listener:${created.id}`, 'test', 'internal'],
        ['listeners.start', `listener:${created.id}`, 'test', 'internal'],
        ['listeners.delete', `listener:${created.id}`, 'operator', 'ws'],
      ],
    );
    const [create, update, stop, start, remove] = entries.map((e) => e.details as Record<string, unknown>);
    assert.deepEqual(
      { kind: create!.kind, host: create!.host, port: create!.port, state: create!.state },
      { kind: 'mqtt', host: '127.0.0.1', port: 0, state: 'running' },
    );
    assert.equal(create!.boundPort, created.boundPort);
    assert.equal((create!.options as { maxConnections: number }).maxConnections, 5);
    assert.equal((update!.options as { maxConnections: number }).maxConnections, 9);
    assert.equal(
      ((update!.before as Record<string, unknown>).options as { maxConnections: number }).maxConnections,
      5,
      'an update records the settings before the change',
    );
    assert.equal(stop!.state, 'stopped');
    assert.equal(start!.state, 'running');
    assert.equal(start!.boundPort, started.boundPort);
    assert.equal(remove!.kind, 'mqtt', 'a deleted listener is still identified');
  });

  test('a TLS listener entry names its kind and settings but no key material or file paths', async () => {
    const before = (await listenerEntries()).length;
    const tls = await call('listeners.create', {
      kind: 'mqtts',
      host: '127.0.0.1',
      port: 0,
      options: { minTlsVersion: 'TLSv1.3', alpnProtocols: ['mqtt'] },
    });
    assert.equal(tls.state, 'running', tls.error);
    await call('listeners.remove', { id: tls.id });
    const entries = (await listenerEntries()).slice(before);
    assert.deepEqual(
      entries.map((e) => e.action),
      ['listeners.create', 'listeners.delete'],
    );
    const created = entries[0]!.details as { kind: string; options: Record<string, unknown> };
    assert.equal(created.kind, 'mqtts');
    assert.equal(created.options.minTlsVersion, 'TLSv1.3');
    assert.deepEqual(created.options.alpnProtocols, ['mqtt']);
    for (const entry of entries) {
      const text = JSON.stringify(entry.details);
      assert.doesNotMatch(text, /BEGIN|PRIVATE|tlsFiles|keyFile|certFile|secret/i, text);
    }
  });

  test('a refused change leaves no entry; a listener that cannot bind is recorded with its error', async () => {
    const before = (await listenerEntries()).length;
    const outcome = await tc.core.dispatch(
      'listeners.stop',
      { id: 'no-such-listener' },
      { transport: 'internal', actor: 'test' },
    );
    assert.equal(outcome.ok, false);
    assert.equal((await listenerEntries()).length, before);

    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const failed = await call('listeners.create', { kind: 'mqtt', host: '127.0.0.1', port });
      assert.equal(failed.state, 'error');
      const [entry] = (await listenerEntries()).slice(before);
      assert.equal(entry?.action, 'listeners.create');
      const details = entry!.details as { state: string; error: string; port: number };
      assert.equal(details.state, 'error');
      assert.equal(details.port, port);
      assert.match(details.error, /in use/i);
      await call('listeners.remove', { id: failed.id });
    } finally {
      blocker.close();
    }
  });
});
