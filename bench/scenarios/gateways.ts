import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { type Core, createCore } from '../../main/core';
import { signDeviceJwt } from '../../main/gateways';
import { fleetIds, LiteClient, provisionThroughApi } from '../../main/gateways/simulator';
import type { MethodName, RequestOf, ResponseOf } from '../../preload/contract';
import type { Metric, Scenario, ScenarioContext, ScenarioOutcome } from './types';

/*
 * Gateways: 50 gateways × 20 attached devices publishing events through the gateway path, against
 * the same load as plain publishes from 50 password clients, in the same process and run; attach
 * latency; ES256 JWT logins per second; memory for 1,000 attached devices. The core runs in this
 * process (like pki-issue), so the generator shares its CPU: compare the two paths, not absolutes.
 * Run alone: `node --import tsx bench/scenarios/gateways.ts`.
 */

const GATEWAYS = Number(process.env.BENCH_GW_GATEWAYS ?? 50);
const DEVICES = Number(process.env.BENCH_GW_DEVICES ?? 20);
const PHASE_MS = Number(process.env.BENCH_GW_PHASE_MS ?? 2000);
const ROUNDS = 2;
/** QoS 1 publishes in flight per client: the window that keeps queues bounded. */
const WINDOW = 16;
const LOGIN_MS = Number(process.env.BENCH_GW_LOGIN_MS ?? 3000);
const ACCOUNT = 'bench-gw';
const REGISTRY = 'bench-reg';
const PASSWORD = 'bench password 123';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function metric(key: string, label: string, unit: string, better: Metric['better'], value: number): Metric {
  return { key, label, unit, better, value: Math.round(value * 100) / 100 };
}

/** Each client keeps WINDOW QoS 1 publishes in flight, cycling through its device topics, for `ms`. */
async function drive(clients: { client: LiteClient; topics: string[] }[], ms: number): Promise<number> {
  const stopAt = performance.now() + ms;
  let sent = 0;
  const payload = Buffer.from(JSON.stringify({ temperature: 21.5, humidity: 40, seq: 0 }));
  await Promise.all(
    clients.flatMap(({ client, topics }) =>
      Array.from({ length: WINDOW }, async (_, lane) => {
        let i = lane;
        while (performance.now() < stopAt && !client.closed) {
          await client.publish(topics[i % topics.length]!, payload, 1);
          sent++;
          i += WINDOW;
        }
      }),
    ),
  );
  return sent;
}

async function run(ctx: Pick<ScenarioContext, 'log'>): Promise<ScenarioOutcome> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-bench-gw-'));
  let core: Core | undefined;
  const open: LiteClient[] = [];
  try {
    core = await createCore({
      dataDir: dir,
      mode: 'headless',
      listeners: { brokerHost: '127.0.0.1', mqttPort: 0 },
    });
    const c = core;
    const call = async <M extends MethodName>(method: M, request: RequestOf<M>) => {
      const outcome = await c.dispatch(method, request, { transport: 'internal', actor: 'bench' });
      if (!outcome.ok) throw new Error(`${method}: ${outcome.error.message}`);
      return outcome.result as ResponseOf<M>;
    };
    const port = Number(/mqtt \S+:(\d+)/.exec(core.readyDetails().join(' '))![1]);
    const root = (await call('accounts.list', {})).accounts.find((a) => a.parentId === null)!;
    const local = (await call('services.list', {})).services.find((s) => s.kind === 'embedded')!;
    const accountId = (
      await call('accounts.create', { parentId: root.id, name: ACCOUNT, serviceId: local.id })
    ).id;
    await call('credentials.create', { accountId, username: 'bench-app', password: PASSWORD });
    const fleet = await provisionThroughApi({ call }, accountId, REGISTRY, fleetIds('b', GATEWAYS, DEVICES));
    ctx.log(`provisioned ${GATEWAYS} gateways × ${DEVICES} devices`);

    const subscriber = await LiteClient.connect({
      host: '127.0.0.1',
      port,
      clientId: 'bench-counter',
      username: 'bench-app',
      password: PASSWORD,
    });
    open.push(subscriber);
    let received = 0;
    subscriber.on('message', () => received++);
    await subscriber.subscribe([`/${REGISTRY}/+/events`], 0);

    // Memory and attach latency: 50 gateways attaching 1,000 devices.
    gc();
    const before = process.memoryUsage();
    const latencies: number[] = [];
    const gateways: { client: LiteClient; topics: string[] }[] = [];
    for (const [gatewayId, devices] of fleet.gateways) {
      const password = await signDeviceJwt(fleet.keys.get(gatewayId)!, { audience: ACCOUNT });
      const client = await LiteClient.connect({
        host: '127.0.0.1',
        port,
        clientId: `subscriptions/${ACCOUNT}/registries/${REGISTRY}/devices/${gatewayId}`,
        username: 'unused',
        password,
      });
      open.push(client);
      for (const deviceId of devices) {
        const started = performance.now();
        await client.publish(`/${REGISTRY}/${deviceId}/attach`, '', 1);
        latencies.push(performance.now() - started);
      }
      gateways.push({ client, topics: devices.map((d) => `/${REGISTRY}/${d}/events`) });
    }
    gc();
    const after = process.memoryUsage();
    const attached = (await call('gateways.listDevices', { accountId, registryId: REGISTRY })).devices.filter(
      (d) => d.attachedTo.length > 0,
    ).length;
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? 0;
    ctx.log(`${attached} attached; attach p99 ${p99.toFixed(2)} ms`);

    // Plain publishes: 50 password clients, the same topics, payloads and window.
    const plain: { client: LiteClient; topics: string[] }[] = [];
    for (let i = 0; i < gateways.length; i++) {
      const client = await LiteClient.connect({
        host: '127.0.0.1',
        port,
        clientId: `plain-${i}`,
        username: 'bench-app',
        password: PASSWORD,
      });
      open.push(client);
      plain.push({ client, topics: gateways[i]!.topics });
    }
    const phase = async (clients: typeof plain) => {
      await drive(clients, 500); // warm-up
      const start = received;
      const started = performance.now();
      await drive(clients, PHASE_MS);
      return (received - start) / ((performance.now() - started) / 1000);
    };
    // Alternating rounds, so warm-up and load drifts on a shared machine hit both paths alike.
    let plainRate = 0;
    let gatewayRate = 0;
    for (let round = 0; round < ROUNDS; round++) {
      plainRate += (await phase(plain)) / ROUNDS;
      gatewayRate += (await phase(gateways)) / ROUNDS;
    }
    ctx.log(`events/s: plain ${plainRate.toFixed(0)}, gateway path ${gatewayRate.toFixed(0)}`);
    for (const p of plain) await p.client.end();
    for (const g of gateways) await g.client.end();

    // ES256 JWT logins: 20 workers reconnecting gateways with fresh tokens for LOGIN_MS.
    const tokens = new Map<string, string>();
    for (const id of fleet.gateways.keys()) {
      tokens.set(id, await signDeviceJwt(fleet.keys.get(id)!, { audience: ACCOUNT }));
    }
    const ids = [...tokens.keys()];
    let logins = 0;
    const loginStop = performance.now() + LOGIN_MS;
    const loginStarted = performance.now();
    await Promise.all(
      ids.slice(0, 20).map(async (id) => {
        while (performance.now() < loginStop) {
          const client = await LiteClient.connect({
            host: '127.0.0.1',
            port,
            clientId: `subscriptions/${ACCOUNT}/registries/${REGISTRY}/devices/${id}`,
            username: 'unused',
            password: tokens.get(id)!,
          });
          logins++;
          await client.end();
        }
      }),
    );
    const loginRate = logins / ((performance.now() - loginStarted) / 1000);
    ctx.log(`ES256 logins/s: ${loginRate.toFixed(0)}`);

    return {
      status: 'ok',
      metrics: [
        metric(
          'gw-events-per-s',
          `gateway path, ${GATEWAYS}×${DEVICES} devices`,
          'msg/s',
          'higher',
          gatewayRate,
        ),
        metric('gw-plain-events-per-s', `plain publishes, same load`, 'msg/s', 'higher', plainRate),
        metric('gw-path-ratio', 'gateway ÷ plain (target ≥ 0.7)', '×', 'higher', gatewayRate / plainRate),
        metric('gw-attach-p99-ms', 'attach latency p99', 'ms', 'lower', p99),
        metric('gw-es256-logins-per-s', 'ES256 JWT logins (target ≥ 500)', 'logins/s', 'higher', loginRate),
        metric(
          'gw-heap-per-1000-attached-mib',
          `heap for ${attached} attached (+${GATEWAYS} gateway sockets)`,
          'MiB',
          'lower',
          (after.heapUsed - before.heapUsed) / 2 ** 20,
        ),
        metric(
          'gw-rss-per-1000-attached-mib',
          'RSS growth for the same',
          'MiB',
          'lower',
          (after.rss - before.rss) / 2 ** 20,
        ),
      ],
    };
  } finally {
    for (const client of open) client.closed || (await client.end());
    await core?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const gateways: Scenario = {
  id: 'gateways',
  title: 'Gateways: JWT logins, attach, events through gateways',
  scope: 'standalone',
  order: 6,
  run,
};

if (require.main === module) {
  run({ log: (m) => console.log(m) }).then((outcome) =>
    console.log(JSON.stringify(outcome.metrics, null, 2)),
  );
}
