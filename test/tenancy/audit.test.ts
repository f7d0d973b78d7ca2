import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EventBus } from '../../main/api/event-bus';
import { waitFor } from '../helpers/wait-for';
import { startTenancyBroker } from './broker-fixture';
import { connectOk, endAll } from '../helpers/mqtt-client';
import { call, localServiceId, openTenancy, rootId, type TenancyFixture } from './helpers';

describe('audit log written by the operator-API handlers', () => {
  let fx: TenancyFixture;
  const ipc = { transport: 'ipc' as const, actor: 'alice@desktop' };
  const ws = { transport: 'ws' as const, actor: 'bob@headless' };

  before(() => {
    fx = openTenancy({ events: new EventBus() });
  });
  after(() => fx.close());

  it('records what, when, who and over which transport, without secrets', async () => {
    const before = Date.now();
    const acct = await call(
      fx,
      'accounts.create',
      { parentId: rootId(fx), name: 'audited', serviceId: localServiceId(fx) },
      ipc,
    );
    const cred = await call(
      fx,
      'credentials.create',
      { accountId: acct.id, username: 'aud-user', password: 'very-secret-pw' },
      ws,
    );
    await call(fx, 'credentials.setPassword', { id: cred.id, password: 'even-more-secret' }, ws);
    const key = await call(fx, 'apiKeys.create', { accountId: acct.id, name: 'k', type: 'application' }, ipc);
    await call(fx, 'accounts.rename', { id: acct.id, name: 'audited-2' }, ipc);
    await call(fx, 'accounts.setEnabled', { id: acct.id, enabled: false }, ipc);
    // Reads are not audited.
    await call(fx, 'accounts.list', {}, ipc);
    // Failed changes are not either.
    await assert.rejects(async () =>
      call(fx, 'accounts.create', { parentId: rootId(fx), name: '$bad' }, ipc),
    );

    const { entries, total } = await call(fx, 'audit.query', {});
    assert.equal(total, 6);
    assert.deepEqual(
      entries.map((e) => e.action),
      [
        'accounts.disable',
        'accounts.rename',
        'apiKeys.create',
        'credentials.setPassword',
        'credentials.create',
        'accounts.create',
      ],
    );
    const created = entries.at(-1)!;
    assert.equal(created.actor, 'alice@desktop');
    assert.equal(created.transport, 'ipc');
    assert.equal(created.target, 'account:audited');
    assert.ok(created.at >= before && created.at <= Date.now());
    const credEntry = entries.find((e) => e.action === 'credentials.create')!;
    assert.equal(credEntry.transport, 'ws');
    assert.equal(credEntry.actor, 'bob@headless');
    const everything = JSON.stringify(entries);
    for (const secret of ['very-secret-pw', 'even-more-secret', key.key]) {
      assert.ok(!everything.includes(secret), 'no secret reaches the audit log');
    }
    const rename = entries.find((e) => e.action === 'accounts.rename')!;
    assert.deepEqual((rename.details as { from: string; to: string }).from, 'audited');
  });

  it('filters and pages', async () => {
    const byActor = await call(fx, 'audit.query', { actor: 'bob@headless' });
    assert.equal(byActor.total, 2);
    const byPrefix = await call(fx, 'audit.query', { action: 'accounts.' });
    assert.equal(byPrefix.total, 3);
    const page = await call(fx, 'audit.query', { limit: 2, offset: 2 });
    assert.equal(page.entries.length, 2);
    assert.equal(page.entries[0]?.action, 'apiKeys.create');
    const none = await call(fx, 'audit.query', { from: Date.now() + 60_000 });
    assert.equal(none.total, 0);
  });

  it('exports CSV and JSON, oldest first', async () => {
    const json = await call(fx, 'audit.export', { format: 'json' });
    assert.equal(json.mimeType, 'application/json');
    const parsed = JSON.parse(json.content) as { action: string }[];
    assert.equal(parsed.length, 6);
    assert.equal(parsed[0]?.action, 'accounts.create');

    const csv = await call(fx, 'audit.export', { format: 'csv', actor: 'alice@desktop' });
    assert.equal(csv.mimeType, 'text/csv');
    assert.match(csv.filename, /\.csv$/);
    const lines = csv.content.trimEnd().split('\r\n');
    assert.equal(lines[0], 'id,time,actor,transport,action,target,details');
    assert.equal(lines.length, 1 + 4);
    assert.match(
      lines[1] ?? '',
      /^\d+,\d{4}-\d\d-\d\dT[^,]+,alice@desktop,ipc,accounts\.create,account:audited,"\{""/,
    );
  });

  it('emits connections.changed when broker events change device records', async () => {
    const bus = new EventBus();
    const events: unknown[] = [];
    bus.subscribe((name, data) => name === 'connections.changed' && events.push(data));
    const local = openTenancy({ events: bus });
    try {
      const tb = await startTenancyBroker(local);
      const acct = await call(local, 'accounts.create', {
        parentId: rootId(local),
        name: 'ev',
        serviceId: localServiceId(local),
      });
      await call(local, 'credentials.create', {
        accountId: acct.id,
        username: 'ev-user',
        password: 'ev-password',
      });
      const client = await connectOk(tb.url, {
        clientId: 'ev-1',
        username: 'ev-user',
        password: 'ev-password',
      });
      await client.endAsync();
      await waitFor(() => events.length >= 2, 'two connections.changed events');
      assert.deepEqual(
        events.map((e) => (e as { status: string }).status),
        ['connected', 'disconnected'],
      );
      assert.equal((events[0] as { accountId: string }).accountId, acct.id);
      await endAll(client);
      await tb.close();
    } finally {
      local.close();
    }
  });
});
