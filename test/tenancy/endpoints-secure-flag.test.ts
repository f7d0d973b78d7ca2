import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiError } from '../../main/api/api-error';
import { call, localServiceId, openTenancy, rootId, type TenancyFixture } from './helpers';

describe('endpoints.create without a secure flag', () => {
  let fx: TenancyFixture;
  let accountId: string;

  before(async () => {
    fx = openTenancy();
    accountId = (
      await call(fx, 'accounts.create', {
        parentId: rootId(fx),
        name: 'flags',
        serviceId: localServiceId(fx),
      })
    ).id;
  });
  after(() => fx.close());

  it('takes the flag the scheme implies: true for mqtts and wss, false for mqtt and ws', async () => {
    const cases = [
      { scheme: 'mqtt', port: 1883, secure: false },
      { scheme: 'mqtts', port: 8883, secure: true },
      { scheme: 'ws', port: 8080, secure: false },
      { scheme: 'wss', port: 8443, secure: true },
      // Upper case schemes are normalised before the default is chosen.
      { scheme: 'MQTTS', port: 8884, secure: true },
    ];
    for (const c of cases) {
      const created = await call(fx, 'endpoints.create', {
        accountId,
        scheme: c.scheme,
        domain: 'devices.example.com',
        port: c.port,
      });
      assert.equal(created.secure, c.secure, `${c.scheme}:${c.port}`);
      assert.equal(created.scheme, c.scheme.toLowerCase());
    }
    const listed = await call(fx, 'endpoints.list', { accountId });
    assert.deepEqual(listed.endpoints.map((e) => `${e.scheme}:${e.port}:${e.secure}`).sort(), [
      'mqtt:1883:false',
      'mqtts:8883:true',
      'mqtts:8884:true',
      'ws:8080:false',
      'wss:8443:true',
    ]);
  });

  it('still refuses an explicit flag that contradicts the scheme', async () => {
    await assert.rejects(
      async () =>
        call(fx, 'endpoints.create', {
          accountId,
          scheme: 'wss',
          domain: 'other.example.com',
          port: 443,
          secure: false,
        }),
      (err: unknown) =>
        err instanceof ApiError &&
        err.code === 'BAD_REQUEST' &&
        /secure flag must be true for wss/.test(err.message),
    );
  });

  it('reports an unknown scheme as such, not as a secure-flag mismatch', async () => {
    await assert.rejects(
      async () =>
        call(fx, 'endpoints.create', { accountId, scheme: 'https', domain: 'other.example.com', port: 443 }),
      (err: unknown) =>
        err instanceof ApiError &&
        err.code === 'BAD_REQUEST' &&
        /Unsupported scheme "https"/.test(err.message),
    );
  });

  it('rejects a secure flag that is not a boolean at the contract boundary', async () => {
    await assert.rejects(
      async () =>
        call(fx, 'endpoints.create', {
          accountId,
          scheme: 'mqtts',
          domain: 'other.example.com',
          port: 8883,
          secure: 'yes' as unknown as boolean,
        }),
      /secure/,
    );
  });
});
