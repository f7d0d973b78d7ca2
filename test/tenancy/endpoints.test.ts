import assert from 'node:assert/strict';
import fs from 'node:fs';
import type net from 'node:net';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { ApiError } from '../../main/api/api-error';
import { createCa } from '../helpers/openssl-pki';
import { tempDir } from '../helpers/temp-dir';
import { addWebSocketListener, type TenancyBroker, startTenancyBroker } from './broker-fixture';
import { call, localServiceId, openTenancy, rootId, type TenancyFixture } from './helpers';

function rejectsWith(code: string, pattern: RegExp) {
  return (err: unknown) => err instanceof ApiError && err.code === code && pattern.test(err.message);
}

describe('endpoints', () => {
  let fx: TenancyFixture;
  let tb: TenancyBroker;
  let child: string;
  let grandchild: string;

  before(async () => {
    fx = openTenancy();
    tb = await startTenancyBroker(fx);
    child = (
      await call(fx, 'accounts.create', {
        parentId: rootId(fx),
        name: 'child',
        serviceId: localServiceId(fx),
      })
    ).id;
    grandchild = (await call(fx, 'accounts.create', { parentId: child, name: 'grandchild' })).id;
  });
  after(async () => {
    await tb.close();
    fx.close();
  });

  /** Creates a root-account endpoint (secure for mqtts) and runs its reachability check. */
  const checkNewEndpoint = async (
    scheme: 'mqtt' | 'mqtts' | 'ws',
    domain: string,
    port: number,
    timeoutMs?: number,
  ) => {
    const endpoint = await call(fx, 'endpoints.create', {
      accountId: rootId(fx),
      scheme,
      domain,
      port,
      secure: scheme === 'mqtts',
    });
    return call(fx, 'endpoints.checkReachability', { id: endpoint.id, ...(timeoutMs ? { timeoutMs } : {}) });
  };

  it('validates scheme, port, secure flag, domain name and uniqueness', async () => {
    const base = {
      accountId: child,
      scheme: 'mqtt',
      domain: 'broker.example.com',
      port: 1883,
      secure: false,
    };
    await assert.rejects(
      async () => call(fx, 'endpoints.create', { ...base, scheme: 'http' }),
      rejectsWith('BAD_REQUEST', /Unsupported scheme "http": use one of mqtt, mqtts, ws, wss/),
    );
    for (const port of [0, 65536, 1.5]) {
      await assert.rejects(
        async () => call(fx, 'endpoints.create', { ...base, port }),
        rejectsWith('BAD_REQUEST', /Invalid port/),
      );
    }
    await assert.rejects(
      async () => call(fx, 'endpoints.create', { ...base, scheme: 'mqtts', port: 8883 }),
      rejectsWith('BAD_REQUEST', /secure flag must be true for mqtts/),
    );
    await assert.rejects(
      async () => call(fx, 'endpoints.create', { ...base, secure: true }),
      rejectsWith('BAD_REQUEST', /secure flag must be false for mqtt/),
    );
    for (const domain of ['-bad.example.com', 'a..b', 'exa mple.com', 'under_score.com', '999.1.1.1', '']) {
      await assert.rejects(
        async () => call(fx, 'endpoints.create', { ...base, domain }),
        rejectsWith('BAD_REQUEST', /Invalid domain name/),
        domain,
      );
    }
    await call(fx, 'endpoints.create', base);
    await call(fx, 'endpoints.create', { ...base, scheme: 'wss', port: 443, secure: true });
    await assert.rejects(
      async () => call(fx, 'endpoints.create', { ...base, domain: 'BROKER.example.com' }),
      rejectsWith('CONFLICT', /already has the endpoint mqtt:\/\/broker\.example\.com:1883/),
    );
    // The same endpoint in another account is fine.
    await call(fx, 'endpoints.create', { ...base, accountId: rootId(fx) });
  });

  it('an account without endpoints uses its nearest ancestor’s', async () => {
    const own = await call(fx, 'endpoints.list', { accountId: child });
    assert.equal(own.inheritedFrom, null);
    assert.equal(own.endpoints.length, 2);
    const inherited = await call(fx, 'endpoints.list', { accountId: grandchild });
    assert.equal(inherited.inheritedFrom, child);
    assert.deepEqual(
      inherited.endpoints.map((e) => e.id),
      own.endpoints.map((e) => e.id),
    );
    const third = await call(fx, 'accounts.create', { parentId: rootId(fx), name: 'third' });
    assert.equal((await call(fx, 'endpoints.list', { accountId: third.id })).inheritedFrom, rootId(fx));
    await call(fx, 'endpoints.create', {
      accountId: grandchild,
      scheme: 'ws',
      domain: 'gc.example.com',
      port: 80,
      secure: false,
    });
    assert.equal((await call(fx, 'endpoints.list', { accountId: grandchild })).inheritedFrom, null);
  });

  it('editing or deleting an endpoint in use needs confirm', async () => {
    const live = await call(fx, 'endpoints.create', {
      accountId: child,
      scheme: 'mqtt',
      domain: 'localhost',
      port: tb.port,
      secure: false,
    });
    await assert.rejects(
      async () => call(fx, 'endpoints.update', { id: live.id, domain: 'devices.example.com' }),
      rejectsWith('CONFLICT', new RegExp(`running mqtt listener on 127\\.0\\.0\\.1:${tb.port}.*confirm`)),
    );
    const moved = await call(fx, 'endpoints.update', {
      id: live.id,
      domain: 'devices.example.com',
      confirm: true,
    });
    assert.equal(moved.domain, 'devices.example.com');

    const spare = await call(fx, 'endpoints.create', {
      accountId: child,
      scheme: 'mqtts',
      domain: 'spare.example.com',
      port: 18883,
      secure: true,
    });
    // Unused: edits and deletes need no confirmation.
    const edited = await call(fx, 'endpoints.update', { id: spare.id, port: 18884 });
    assert.equal(edited.port, 18884);
    fx.tenancy.devices.markProvisioned(fx.tenancy.accounts.require(child), 'gw-17', spare.id);
    await assert.rejects(
      async () => call(fx, 'endpoints.delete', { id: spare.id }),
      rejectsWith('CONFLICT', /1 device\(s\) provisioned with it \(gw-17\)/),
    );
    await call(fx, 'endpoints.delete', { id: spare.id, confirm: true });
    assert.equal(fx.tenancy.devices.get(child, 'gw-17')?.provisionedEndpointId, null);
  });

  it('checks reachability against a real listener', async () => {
    const report = await checkNewEndpoint('mqtt', 'localhost', tb.port);
    assert.equal(report.listener.ok, true, report.listener.detail);
    assert.equal(report.dns.ok, true, report.dns.detail);
    assert.equal(report.connect.ok, true, report.connect.detail);
    assert.equal(report.connect.reasonCode, 5, 'an anonymous probe is answered with "not authorized"');
    assert.equal(report.reachable, true);

    const ws = await addWebSocketListener(fx, tb);
    try {
      const wsPort = Number(new URL(ws.url).port);
      const wsReport = await checkNewEndpoint('ws', '127.0.0.1', wsPort);
      assert.equal(wsReport.reachable, true, JSON.stringify(wsReport));
    } finally {
      await ws.close();
    }

    // A port with nothing behind it: no listener, and the live test fails.
    const closedPort = tb.port === 65535 ? 65534 : tb.port + 1;
    const deadReport = await checkNewEndpoint('mqtt', 'localhost', closedPort, 3000);
    assert.equal(deadReport.listener.ok, false);
    assert.match(deadReport.listener.detail, new RegExp(`no mqtt listener is running on port ${closedPort}`));
    assert.equal(deadReport.dns.ok, true);
    assert.equal(deadReport.reachable, false);
  });

  it('probes TLS endpoints, including mutual TLS without a client certificate', async () => {
    // A self-signed localhost certificate, used as both server certificate and trust anchor.
    const self = createCa(tempDir(), 'localhost', {
      subject: '/CN=localhost',
      subjectAltName: 'DNS:localhost',
      days: 1,
      ca: false,
    });
    const key = fs.readFileSync(self.key);
    const cert = fs.readFileSync(self.cert);
    const servers: tls.Server[] = [];
    const start = async (kind: 'mqtts' | 'mqtts-mutual') => {
      const server = tls.createServer(
        {
          key,
          cert,
          requestCert: kind === 'mqtts-mutual',
          rejectUnauthorized: kind === 'mqtts-mutual',
          ca: [cert],
        },
        (sock) =>
          tb.broker.handleConnection(sock, {
            listener: {
              id: kind,
              kind,
              host: '127.0.0.1',
              port: (server.address() as net.AddressInfo).port,
            },
            remoteAddress: sock.remoteAddress ?? '',
          }),
      );
      server.on('tlsClientError', () => {});
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      const port = (server.address() as net.AddressInfo).port;
      fx.listeners.push({ kind, host: '127.0.0.1', port });
      return port;
    };
    try {
      const tlsPort = await start('mqtts');
      const report = await checkNewEndpoint('mqtts', 'localhost', tlsPort);
      assert.equal(report.reachable, true, JSON.stringify(report));
      assert.equal(report.listener.matched?.kind, 'mqtts');

      const mutualPort = await start('mqtts-mutual');
      const mutualReport = await checkNewEndpoint('mqtts', 'localhost', mutualPort);
      assert.equal(mutualReport.listener.matched?.kind, 'mqtts-mutual');
      assert.equal(mutualReport.connect.ok, true, mutualReport.connect.detail);
      assert.match(mutualReport.connect.detail, /requires a client certificate/);
    } finally {
      for (const server of servers) {
        const port = (server.address() as net.AddressInfo).port;
        fx.listeners.splice(
          fx.listeners.findIndex((l) => l.port === port),
          1,
        );
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    }
  });
});
