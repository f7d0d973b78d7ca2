import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Core, createCore } from '../../main/core';
import { SimulatedGateway } from '../../main/serial';
import type { MethodName, RequestOf, ResponseOf } from '../../preload/contract';
import type { Metric, Scenario, ScenarioContext, ScenarioOutcome } from './types';

/*
 * Serial commissioning: simulated gateways on socat PTY pairs, commissioned through the operator API
 * (identify → provision request → settings and CA chain → commit → reboot → provision over mqtts →
 * first telemetry). Seconds from "start" to first telemetry for 1 port, then for 10 ports at once
 * (station mode; target: 10 devices in under 30 s). The simulators run in this process, beside the core.
 * Run alone: `node --import tsx bench/scenarios/serial-commissioning.ts`.
 */

const PARALLEL = Number(process.env.BENCH_SERIAL_PORTS ?? 10);

async function waitForPath(p: string): Promise<void> {
  for (let i = 0; i < 200 && !fs.existsSync(p); i++) await new Promise((r) => setTimeout(r, 25));
  if (!fs.existsSync(p)) throw new Error(`socat did not create ${p}`);
}

async function run(ctx: Pick<ScenarioContext, 'log'>): Promise<ScenarioOutcome> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-bench-serial-'));
  const socats: ChildProcess[] = [];
  const gateways: SimulatedGateway[] = [];
  let core: Core | undefined;
  try {
    core = await createCore({
      dataDir: path.join(dir, 'data'),
      mode: 'headless',
      listeners: { brokerHost: '127.0.0.1', mqttPort: 0, mqttsPort: 0 },
    });
    const c = core;
    const call = async <M extends MethodName>(method: M, request: RequestOf<M>) => {
      const outcome = await c.dispatch(method, request, { transport: 'internal', actor: 'bench' });
      if (!outcome.ok) throw new Error(`${method}: ${outcome.error.message}`);
      return outcome.result as ResponseOf<M>;
    };
    const root = (await call('accounts.list', {})).accounts.find((a) => a.parentId === null)!;
    const local = (await call('services.list', {})).services.find((s) => s.kind === 'embedded')!;
    const account = await call('accounts.create', {
      parentId: root.id,
      name: 'bench-serial',
      serviceId: local.id,
    });

    let index = 0;
    const plug = async () => {
      index += 1;
      const host = path.join(dir, `host-${index}`);
      const device = path.join(dir, `dev-${index}`);
      socats.push(
        spawn('socat', [`pty,raw,echo=0,link=${host}`, `pty,raw,echo=0,link=${device}`], { stdio: 'ignore' }),
      );
      await waitForPath(host);
      await waitForPath(device);
      const hex = index.toString(16).padStart(4, '0').toUpperCase();
      const gateway = new SimulatedGateway({
        identity: {
          mac: `02:FB:BE:00:${hex.slice(0, 2)}:${hex.slice(2)}`,
          serial: `BENCH-${index}`,
          model: 'FB-GW',
          firmware: '1.0.0',
        },
        stateFile: path.join(dir, `flash-${index}.json`),
        bootMs: 200,
      });
      gateways.push(gateway);
      await gateway.attach(device);
      return host;
    };
    const commission = async (ports: string[]) => {
      const started = performance.now();
      const { runs } = await call('commissioning.start', {
        ports: ports.map((p) => ({ path: p })),
        targetAccountId: account.id,
        onlineTimeoutSeconds: 120,
      });
      const ids = new Set(runs.map((r) => r.id));
      for (;;) {
        const mine = (await call('commissioning.runs', {})).runs.filter((r) => ids.has(r.id));
        if (mine.every((r) => r.state !== 'running')) {
          const seconds = mine.map((r) => ((r.endedAt ?? 0) - r.startedAt) / 1000).sort((a, b) => a - b);
          return {
            wall: (performance.now() - started) / 1000,
            max: seconds[seconds.length - 1]!,
            p50: seconds[Math.floor(seconds.length / 2)]!,
            failed: mine
              .filter((r) => r.state !== 'succeeded')
              .map((r) => `${r.port}: ${r.step}: ${r.detail}`),
          };
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    const one = await commission([await plug()]);
    ctx.log(
      `1 port: ${one.wall.toFixed(2)} s to first telemetry${one.failed.length ? ` (failed: ${one.failed})` : ''}`,
    );
    const hosts: string[] = [];
    for (let i = 0; i < PARALLEL; i++) hosts.push(await plug());
    const many = await commission(hosts);
    ctx.log(
      `${PARALLEL} ports: all done in ${many.wall.toFixed(2)} s (p50 ${many.p50.toFixed(2)} s), failed ${many.failed.length}`,
    );
    const m = (
      key: string,
      label: string,
      unit: string,
      better: Metric['better'],
      value: number,
    ): Metric => ({
      key,
      label,
      unit,
      better,
      value: Math.round(value * 100) / 100,
    });
    const failed = one.failed.length + many.failed.length;
    return {
      status: failed === 0 ? 'ok' : 'failed',
      detail: failed === 0 ? undefined : [...one.failed, ...many.failed].join('; '),
      metrics: [
        m('serial-1-port-s', '1 port: start → first telemetry', 's', 'lower', one.wall),
        m(`serial-${PARALLEL}-ports-s`, `${PARALLEL} ports at once: all online`, 's', 'lower', many.wall),
        m(`serial-${PARALLEL}-ports-p50-s`, `${PARALLEL} ports: p50 per device`, 's', 'lower', many.p50),
        m('serial-failures', 'failed runs', 'runs', 'lower', failed),
      ],
    };
  } finally {
    for (const g of gateways) await g.stop().catch(() => {});
    for (const s of socats) s.kill('SIGKILL');
    await core?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const serialCommissioning: Scenario = {
  id: 'serial-commissioning',
  title: 'Serial commissioning: start → first telemetry (1 and 10 ports)',
  scope: 'standalone',
  order: 7,
  run,
};

if (require.main === module) {
  run({ log: (msg) => process.stderr.write(`${msg}\n`) }).then(
    (outcome) => console.log(JSON.stringify({ loadAverage: os.loadavg()[0], ...outcome }, null, 2)),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
