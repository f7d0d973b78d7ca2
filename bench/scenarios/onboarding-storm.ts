import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { createCore } from '../../main/core';
import type { MethodName, RequestOf, ResponseOf } from '../../preload/contract';
import type { Metric, Scenario, ScenarioContext, ScenarioOutcome } from './types';

/*
 * Zero-touch onboarding storm: N agents with account-bound certificates (eu2 mode, CN = client id =
 * `<account>_<agent>`) connect over mutual TLS at once; each first connection creates its agent record.
 * Reports handshakes/s (CONNACKs), onboardings/s (records created) and the p99 time to CONNACK.
 * The agents run in the same process as the core. Run alone: `node --import tsx bench/scenarios/onboarding-storm.ts`.
 */

const AGENTS = Number(process.env.BENCH_ONBOARDING_AGENTS ?? 1000);
/**
 * Handshakes in flight at once. The broker closes connections without a CONNECT after 10 s
 * (`connectTimeoutMs`, TLS handshake included), so unbounded bursts on 2 busy cores end in resets.
 */
const IN_FLIGHT = Number(process.env.BENCH_ONBOARDING_IN_FLIGHT ?? 100);

function metric(key: string, label: string, unit: string, better: Metric['better'], value: number): Metric {
  return { key, label, unit, better, value: Math.round(value * 10) / 10 };
}

async function run(ctx: Pick<ScenarioContext, 'log'>): Promise<ScenarioOutcome> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-bench-onboarding-'));
  const core = await createCore({
    dataDir: dir,
    mode: 'headless',
    listeners: { brokerHost: '127.0.0.1', mqttsMutualPort: 0 },
  });
  const call = async <M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>> => {
    const outcome = await core.dispatch(method, request, { transport: 'internal', actor: 'bench' });
    if (!outcome.ok) throw new Error(`${method}: ${outcome.error.message}`);
    return outcome.result as ResponseOf<M>;
  };
  const clients: mqtt.MqttClient[] = [];
  try {
    const port = Number(/mqtts-mutual [^:]+:(\d+)/.exec(core.readyDetails().join(' '))?.[1]);
    const root = (await call('accounts.list', {})).accounts.find((a) => a.parentId === null)!;
    const local = (await call('services.list', {})).services.find((s) => s.kind === 'embedded')!;
    const account = await call('accounts.create', { parentId: root.id, name: 'bench', serviceId: local.id });
    await call('onboarding.settings.update', { accountId: account.id, mode: 'eu2' });
    const ca = (await call('pki.listAuthorities', {})).authorities.find(
      (a) => a.role === 'root',
    )!.certificatePem;
    const csv = Array.from({ length: AGENTS }, (_, i) => `agent${i}`).join('\n');
    const batch = await call('pki.batchIssue', {
      csv,
      accountId: account.id,
      commonNameStyle: 'account-prefixed',
    });
    const identities = await Promise.all(
      batch.issued.map(async (c) => {
        const pem = await call('pki.exportPem', { serial: c.serial, includePrivateKey: true });
        return { clientId: c.commonName, cert: pem.certificatePem + pem.chainPem, key: pem.privateKeyPem! };
      }),
    );
    ctx.log(`${AGENTS} agent certificates ready; connecting, ${IN_FLIGHT} handshakes in flight`);

    const latencies: number[] = [];
    const started = performance.now();
    const connectOne = (id: (typeof identities)[number]) =>
      new Promise<void>((resolve, reject) => {
        const t0 = performance.now();
        const client = mqtt.connect(`mqtts://localhost:${port}`, {
          ca,
          cert: id.cert,
          key: id.key,
          clientId: id.clientId,
          protocolVersion: 5,
          reconnectPeriod: 0,
          connectTimeout: 120_000,
        });
        clients.push(client);
        client.once('connect', () => {
          latencies.push(performance.now() - t0);
          resolve();
        });
        client.once('error', reject);
      });
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(IN_FLIGHT, AGENTS) }, async () => {
        while (next < identities.length) await connectOne(identities[next++]!);
      }),
    );
    const elapsedS = (performance.now() - started) / 1000;
    const { agents } = await call('onboarding.agents.list', { accountId: account.id });
    const onboarded = agents.filter((a) => a.state === 'onboarded').length;
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))]!;
    ctx.log(
      `${AGENTS} handshakes in ${elapsedS.toFixed(2)} s, ${onboarded} records, p99 ${p99.toFixed(0)} ms`,
    );
    return {
      status: onboarded === AGENTS ? 'ok' : 'failed',
      detail: onboarded === AGENTS ? undefined : `${onboarded} of ${AGENTS} agents onboarded`,
      metrics: [
        metric(
          'onboarding-handshakes-per-s',
          `${AGENTS} mutual-TLS agents, ${IN_FLIGHT} in flight`,
          'handshakes/s',
          'higher',
          AGENTS / elapsedS,
        ),
        metric(
          'onboarding-records-per-s',
          'zero-touch agent records created',
          'onboardings/s',
          'higher',
          onboarded / elapsedS,
        ),
        metric('onboarding-connack-p99-ms', 'time to CONNACK, p99', 'ms', 'lower', p99),
      ],
    };
  } finally {
    for (const client of clients) client.end(true);
    await core.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const onboardingStorm: Scenario = {
  id: 'onboarding-storm',
  title: 'Onboarding: agents onboarding at once',
  scope: 'standalone',
  order: 6,
  run,
};

if (require.main === module) {
  run({ log: (m) => console.log(m) }).then(
    (outcome) => console.log(JSON.stringify(outcome, null, 2)),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
