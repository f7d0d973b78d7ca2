import { type ChildProcess, spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import mqtt from 'mqtt';
import WebSocket from 'ws';
import { NODE_RUNTIME_FLAGS } from '../../main/cli/runtime-flags';
import type { Metric, Scenario, ScenarioContext, ScenarioOutcome } from './types';

/*
 * Resource API end to end, against the whole core in its own process: property updates published
 * over MQTT (QoS 0, at most WINDOW not yet seen) until each arrives on a native WebSocket and is
 * stored; then REST reads of the latest value with CONCURRENCY requests in flight.
 * Run alone: `node --import tsx bench/scenarios/resources.ts`.
 */

const UPDATES = Number(process.env.BENCH_RES_UPDATES ?? 20_000);
const WINDOW = 200;
const READS = Number(process.env.BENCH_RES_READS ?? 5000);
const CONCURRENCY = 16;

interface Started {
  child: ChildProcess;
  ports: Record<string, number>;
  key: string;
  thngId: string;
}

async function startCore(): Promise<Started> {
  const entry = path.join(__dirname, '..', 'targets', 'resource-core.ts');
  const child = spawn(process.execPath, [...NODE_RUNTIME_FLAGS, '--import', 'tsx', entry], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`resource core exited with ${code}`)));
  });
  return { child, ...(JSON.parse(line) as Omit<Started, 'child'>) };
}

const metric = (key: string, label: string, unit: string, value: number): Metric => ({
  key,
  label,
  unit,
  better: 'higher',
  value: Math.round(value),
});

async function run(ctx: Pick<ScenarioContext, 'log'>): Promise<ScenarioOutcome> {
  const core = await startCore();
  const base = `http://127.0.0.1:${core.ports['rest']}`;
  const path = `/thngs/${core.thngId}/properties/temp`;
  try {
    const socket = new WebSocket(`ws://127.0.0.1:${core.ports['ws']}${path}`, {
      headers: { authorization: core.key },
    });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${core.ports['mqtt']}`, {
      username: 'authorization',
      password: core.key,
      protocolVersion: 5,
      reconnectPeriod: 0,
    });
    let seen = 0;
    let wake: (() => void) | undefined;
    socket.on('message', () => {
      seen++;
      wake?.();
    });
    const started = performance.now();
    for (let sent = 0; sent < UPDATES; sent++) {
      while (sent - seen >= WINDOW) await new Promise<void>((resolve) => (wake = resolve));
      client.publish(path, `[{"value":${sent}}]`);
    }
    while (seen < UPDATES) await new Promise<void>((resolve) => (wake = resolve));
    const updateRate = UPDATES / ((performance.now() - started) / 1000);
    const stored = (await (
      await fetch(`${base}${path}?perPage=1`, { headers: { authorization: core.key } })
    ).json()) as {
      value: number;
    }[];
    if (stored[0]?.value !== UPDATES - 1)
      throw new Error(`stored ${stored[0]?.value}, expected ${UPDATES - 1}`);
    ctx.log(`${UPDATES} property updates MQTT → WebSocket + stored: ${updateRate.toFixed(0)}/s`);
    await client.endAsync();
    socket.close();

    let issued = 0;
    const readStarted = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (issued < READS) {
          issued++;
          const res = await fetch(`${base}/thngs/${core.thngId}/properties`, {
            headers: { authorization: core.key },
          });
          if (res.status !== 200) throw new Error(`REST read answered ${res.status}`);
          await res.arrayBuffer();
        }
      }),
    );
    const readRate = READS / ((performance.now() - readStarted) / 1000);
    ctx.log(`${READS} REST reads: ${readRate.toFixed(0)}/s`);
    return {
      status: 'ok',
      metrics: [
        metric(
          'resources-updates-per-s',
          'property updates, MQTT in → WebSocket out + stored',
          'updates/s',
          updateRate,
        ),
        metric('resources-rest-reads-per-s', `REST reads (${CONCURRENCY} in flight)`, 'reads/s', readRate),
      ],
    };
  } finally {
    core.child.kill('SIGTERM');
    await new Promise((resolve) => core.child.once('exit', resolve));
  }
}

export const resources: Scenario = {
  id: 'resources',
  title: 'Resources: MQTT → WebSocket property updates, REST reads',
  scope: 'standalone',
  order: 6,
  run,
};

if (require.main === module) {
  run({ log: (m) => process.stderr.write(`${m}\n`) }).then(
    (outcome) => console.log(JSON.stringify({ loadAverage: os.loadavg()[0], ...outcome }, null, 2)),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
