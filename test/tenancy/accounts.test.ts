import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tenancyMethods } from '../../preload/contract/tenancy';
import { ApiError } from '../../main/api/api-error';
import { localServiceId, openTenancy, operator, rootId, type TenancyFixture } from './helpers';

function create(fx: TenancyFixture, request: Record<string, unknown>) {
  return fx.tenancy.handlers['accounts.create'](
    tenancyMethods['accounts.create'].request.parse(request),
    operator,
  );
}

function code(err: unknown): string {
  return err instanceof ApiError ? err.code : `not an ApiError: ${String(err)}`;
}

describe('accounts', () => {
  let fx: TenancyFixture;
  before(() => {
    fx = openTenancy();
    fx.listeners.push(
      { kind: 'mqtt', host: '127.0.0.1', port: 1883 },
      { kind: 'ws', host: '127.0.0.1', port: 8080 },
    );
  });
  after(() => fx.close());

  it('creates the root account "sys" and the local service on first start, once', () => {
    const accounts = fx.tenancy.accounts.list();
    assert.equal(accounts.length, 1);
    assert.equal(accounts[0]?.name, 'sys');
    assert.equal(accounts[0]?.depth, 0);
    assert.equal(accounts[0]?.effectiveServiceId, localServiceId(fx));
    assert.deepEqual(
      fx.tenancy.services.list().map((s) => s.name),
      ['local'],
    );
  });

  it('names are unique, restricted and never $-prefixed', async () => {
    await create(fx, { parentId: rootId(fx), name: 'acme' });
    await assert.rejects(
      async () => create(fx, { parentId: rootId(fx), name: 'ACME' }),
      (e) => code(e) === 'CONFLICT',
    );
    for (const bad of ['$acme', 'a b', 'x/y', '', 'a'.repeat(65), 'é']) {
      await assert.rejects(
        async () => create(fx, { parentId: rootId(fx), name: bad }),
        (e) => code(e) === 'BAD_REQUEST',
      );
    }
  });

  it('builds a hierarchy with depth and path', async () => {
    const acme = fx.tenancy.accounts.list().find((a) => a.name === 'acme')!;
    const plant = await create(fx, { parentId: acme.id, name: 'acme-plant' });
    const line = await create(fx, { parentId: plant.id, name: 'acme-line1' });
    assert.equal(line.depth, 3);
    assert.deepEqual(line.path, ['sys', 'acme', 'acme-plant', 'acme-line1']);
    assert.equal(fx.tenancy.accounts.list(acme.id).length, 1);
  });

  it('a child may not outlive its parent', async () => {
    const in1Day = Date.now() + 86_400_000;
    const parent = await create(fx, { parentId: rootId(fx), name: 'shortlived', expiresAt: in1Day });
    await assert.rejects(
      async () => create(fx, { parentId: parent.id, name: 'forever' }),
      /may not outlive its parent "shortlived"/,
    );
    await assert.rejects(
      async () => create(fx, { parentId: parent.id, name: 'later', expiresAt: in1Day + 1 }),
      /may not outlive/,
    );
    const child = await create(fx, { parentId: parent.id, name: 'sooner', expiresAt: in1Day - 1000 });
    assert.equal(child.expiresAt, in1Day - 1000);
    // Moving the parent's expiry before the child's is refused with the child's name.
    assert.throws(
      () => fx.tenancy.handlers['accounts.update']({ id: parent.id, expiresAt: in1Day - 5000 }, operator),
      /Child accounts "sooner" would outlive/,
    );
  });

  it('enforces the child-account quota (0 = none allowed, null = unlimited)', async () => {
    const none = await create(fx, { parentId: rootId(fx), name: 'no-kids', maxChildAccounts: 0 });
    await assert.rejects(
      async () => create(fx, { parentId: none.id, name: 'kid' }),
      /at most 0 child accounts/,
    );
    const two = await create(fx, { parentId: rootId(fx), name: 'two-kids', maxChildAccounts: 2 });
    await create(fx, { parentId: two.id, name: 'kid1' });
    await create(fx, { parentId: two.id, name: 'kid2' });
    await assert.rejects(
      async () => create(fx, { parentId: two.id, name: 'kid3' }),
      (e) => code(e) === 'CONFLICT',
    );
    const unlimited = await create(fx, { parentId: rootId(fx), name: 'many-kids' });
    assert.equal(unlimited.maxChildAccounts, null);
    for (let i = 0; i < 5; i++) await create(fx, { parentId: unlimited.id, name: `many-${i}` });
  });

  it('renames, disables and expires', () => {
    const h = fx.tenancy.handlers;
    const acme = fx.tenancy.accounts.list().find((a) => a.name === 'many-kids')!;
    const renamed = h['accounts.rename']({ id: acme.id, name: 'lots-of-kids' }, operator) as { name: string };
    assert.equal(renamed.name, 'lots-of-kids');
    const disabled = h['accounts.setEnabled']({ id: acme.id, enabled: false }, operator) as {
      enabled: boolean;
      usable: boolean;
    };
    assert.equal(disabled.enabled, false);
    assert.equal(disabled.usable, false);
    const child = fx.tenancy.accounts.list(acme.id)[0]!;
    assert.equal(child.usable, false, 'a disabled ancestor makes descendants unusable');
    h['accounts.setEnabled']({ id: acme.id, enabled: true }, operator);
    const expired = h['accounts.expire']({ id: child.id }, operator) as {
      usable: boolean;
      expiresAt: number;
    };
    assert.equal(expired.usable, false);
    assert.ok(expired.expiresAt <= Date.now());
  });

  it('delete is refused while children or devices remain, naming them', async () => {
    const h = fx.tenancy.handlers;
    const parent = await create(fx, { parentId: rootId(fx), name: 'parent-co' });
    await create(fx, { parentId: parent.id, name: 'child-co' });
    assert.throws(
      () => h['accounts.delete']({ id: parent.id }, operator),
      /still has child accounts "child-co"/,
    );
    const child = fx.tenancy.accounts.list(parent.id)[0]!;
    h['connections.update']({ accountId: child.id, clientId: 'sensor-7' }, operator);
    assert.throws(() => h['accounts.delete']({ id: child.id }, operator), /still has devices "sensor-7"/);
    const device = fx.tenancy.devices.get(child.id, 'sensor-7')!;
    h['connections.delete']({ id: device.id }, operator);
    h['accounts.delete']({ id: child.id }, operator);
    h['accounts.delete']({ id: parent.id }, operator);
    assert.equal(
      fx.tenancy.accounts.list().some((a) => a.name === 'parent-co'),
      false,
    );
    assert.throws(() => h['accounts.delete']({ id: rootId(fx) }, operator), /root account cannot be deleted/);
  });

  it('assignment: explicit for root and level one, inherited below, not changeable there', async () => {
    const h = fx.tenancy.handlers;
    const local = localServiceId(fx);
    const top = await create(fx, { parentId: rootId(fx), name: 'top' });
    assert.equal(top.effectiveServiceId, null, 'level-one accounts start unassigned');
    const mid = await create(fx, { parentId: top.id, name: 'mid' });
    const low = await create(fx, { parentId: mid.id, name: 'low' });
    await assert.rejects(
      async () => create(fx, { parentId: top.id, name: 'deep-assigned', serviceId: local }),
      /Only level-one accounts/,
    );
    h['accounts.assignService']({ accountId: top.id, serviceId: local }, operator);
    const lowNow = h['accounts.get']({ id: low.id }, operator) as {
      effectiveServiceId: string;
      serviceInheritedFrom: string;
    };
    assert.equal(lowNow.effectiveServiceId, local);
    assert.equal(lowNow.serviceInheritedFrom, top.id);
    assert.throws(
      () => h['accounts.assignService']({ accountId: low.id, serviceId: null }, operator),
      /inherits its messaging service from level-one account "top"/,
    );
    h['accounts.assignService']({ accountId: top.id, serviceId: null }, operator);
    assert.equal(
      (h['accounts.get']({ id: low.id }, operator) as { effectiveServiceId: null }).effectiveServiceId,
      null,
    );
    // The root's assignment is its own; level-one accounts do not inherit it.
    assert.equal(fx.tenancy.accounts.toDto(fx.tenancy.accounts.require(top.id)).effectiveServiceId, null);
  });

  it('connection options: only those the instance supports, with an explanation', async () => {
    const h = fx.tenancy.handlers;
    const acct = await create(fx, { parentId: rootId(fx), name: 'opts', serviceId: localServiceId(fx) });
    assert.deepEqual(acct.effectiveConnectionOptions, ['mqtt', 'ws']);
    assert.throws(
      () => h['accounts.setConnectionOptions']({ accountId: acct.id, options: ['mqtt', 'wss'] }, operator),
      (e: unknown) =>
        code(e) === 'BAD_REQUEST' &&
        /does not offer wss \(no such listener is running\); it supports mqtt, ws/.test((e as Error).message),
    );
    const narrowed = h['accounts.setConnectionOptions'](
      { accountId: acct.id, options: ['ws'] },
      operator,
    ) as {
      effectiveConnectionOptions: string[];
    };
    assert.deepEqual(narrowed.effectiveConnectionOptions, ['ws']);
    // An external service supports what its endpoints imply.
    const ext = h['services.createExternal'](
      { name: 'cluster-a', endpoints: [{ scheme: 'mqtts', host: 'broker.example.com', port: 8883 }] },
      operator,
    ) as { id: string; options: string[] };
    assert.deepEqual(ext.options, ['mqtts']);
    h['accounts.assignService']({ accountId: acct.id, serviceId: ext.id }, operator);
    assert.throws(() => h['services.delete']({ id: ext.id }, operator), /still used by account "opts"/);
    h['accounts.assignService']({ accountId: acct.id, serviceId: null }, operator);
    h['services.delete']({ id: ext.id }, operator);
  });
});
