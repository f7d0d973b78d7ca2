import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { NODE_RUNTIME_FLAGS } from '../../main/cli/runtime-flags';
import { defaultBundle } from '../../main/provisioning/agent/bundle';
import { simulatedIdentity, simulateDevices } from '../../main/provisioning/agent/simulate';
import { cpuSeconds, rssBytes } from '../lib/proc-stats';
import type { Metric, Scenario, ScenarioContext, ScenarioOutcome } from './types';

/*
 * Device provisioning: DEVICES simulated devices (default 500) provision at once over TLS against a whole
 * Fieldbench core in its own process: the throw-away login (scrypt), the provision message, a certificate
 * from the device's CSR (or, with BENCH_PROVISION_CSR=0, a new password credential: two more scrypt hashes
 * per device), then the reconnect to the target account over mutual TLS. Reports devices/s, p99 seconds per device, failures and the
 * Fieldbench process's memory during and after. Run alone: `node --import tsx bench/scenarios/provisioning.ts`.
 */

const DEVICES = Number(process.env.BENCH_PROVISION_DEVICES ?? 500);
const PASSWORD = 'bench-throw-away';
/** Devices generate keys and send a CSR (the seed's preference); BENCH_PROVISION_CSR=0 asks for passwords. */
const CSR = process.env.BENCH_PROVISION_CSR !== '0';

function metric(key: string, label: string, unit: string, better: Metric['better'], value: number): Metric {
  return { key, label, unit, better, value: Math.round(value * 100) / 100 };
}

async function run(ctx: Pick<ScenarioContext, 'log'>): Promise<ScenarioOutcome> {
  const child = spawn(
    process.execPath,
    [...NODE_RUNTIME_FLAGS, '--import', 'tsx', path.join(__dirname, '../targets/provisioning-server.ts')],
    { env: { ...process.env, BENCH_PROVISION_DEVICES: String(DEVICES) }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  let out = '';
  let completed = 0;
  let onCompleted = () => {};
  const ready = new Promise<{ port: number; ca: string; keys: string[] }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the Fieldbench process exited (${code}): ${stderr}`)));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      out = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('READY ')) resolve(JSON.parse(line.slice(6)));
        else if (line.startsWith('COMPLETED ')) {
          completed = Number(line.slice(10));
          onCompleted();
        }
      }
    });
  });
  try {
    const setupStarted = performance.now();
    const { port, ca, keys } = await ready;
    ctx.log(
      `${DEVICES} provision requests created in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`,
    );
    const rssBefore = rssBytes(child.pid!);
    const cpuBefore = cpuSeconds(child.pid!);
    const ownCpuBefore = process.cpuUsage();
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, rssBytes(child.pid!));
    }, 100);
    const devices = keys.map((key, i) => {
      const identity = simulatedIdentity(i + 1);
      return {
        identity,
        bundle: defaultBundle(identity, {
          'broker-url': `mqtts://localhost:${port}`,
          password: PASSWORD,
          'activation-key': key,
          timeout: 60,
          // Devices beyond what the provision broker takes at once are refused as busy and retry.
          'retry-interval': 2,
          'retry-max-attempts': 30,
        }),
      };
    });
    let finished = 0;
    const report = await simulateDevices({
      devices,
      agent: { trustedCaPem: ca, csr: CSR },
      onDevice: (r) => {
        finished += 1;
        if (!r.ok || finished % Math.max(1, Math.floor(DEVICES / 10)) === 0) {
          ctx.log(
            `  ${finished}/${DEVICES} devices done${r.ok ? '' : ` (${r.clientId} failed: ${r.error})`}`,
          );
        }
      },
    });
    // Completion is recorded by Fieldbench when each device connects to its account; wait for all of them.
    if (completed < report.succeeded) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 30_000);
        onCompleted = () => {
          if (completed >= report.succeeded) {
            clearTimeout(timer);
            resolve();
          }
        };
      });
    }
    clearInterval(sampler);
    const serverCpu = cpuSeconds(child.pid!) - cpuBefore;
    const ownCpu = process.cpuUsage(ownCpuBefore);
    const deviceCpu = (ownCpu.user + ownCpu.system) / 1e6;
    rssPeak = Math.max(rssPeak, rssBytes(child.pid!));
    await new Promise((r) => setTimeout(r, 2000));
    const rssAfter = rssBytes(child.pid!);
    const failures = report.failed + (report.succeeded - completed);
    ctx.log(
      `${report.succeeded}/${DEVICES} provisioned (${completed} completed) in ${(report.durationMs / 1000).toFixed(1)} s: ` +
        `${report.devicesPerSecond.toFixed(1)} devices/s, p99 ${report.p99Seconds.toFixed(2)} s` +
        `; ${report.retries} retries after busy refusals; CPU per device: Fieldbench ${((serverCpu / DEVICES) * 1000).toFixed(1)} ms, simulator ${((deviceCpu / DEVICES) * 1000).toFixed(1)} ms` +
        (report.errors[0] ? `; first error: ${report.errors[0].error}` : ''),
    );
    const mib = (b: number) => b / 1024 / 1024;
    return {
      status: failures === 0 ? 'ok' : 'failed',
      detail: failures === 0 ? undefined : `${failures} devices failed`,
      metrics: [
        metric(
          'provision-devices-per-s',
          `${DEVICES} devices at once over TLS (${CSR ? 'CSR → certificate' : 'password credential'})`,
          'devices/s',
          'higher',
          report.devicesPerSecond,
        ),
        metric('provision-p99-s', 'p99 per device', 's', 'lower', report.p99Seconds),
        metric('provision-failures', 'failed devices', 'devices', 'lower', failures),
        metric(
          'provision-cpu-ms-per-device',
          'Fieldbench CPU per device',
          'ms',
          'lower',
          (serverCpu / DEVICES) * 1000,
        ),
        metric('provision-rss-peak-mib', 'Fieldbench RSS during', 'MiB', 'lower', mib(rssPeak)),
        metric('provision-rss-after-mib', 'Fieldbench RSS after', 'MiB', 'lower', mib(rssAfter)),
      ],
      raw: { rssBeforeMiB: mib(rssBefore), errors: report.errors.slice(0, 10) },
    };
  } finally {
    child.kill('SIGTERM');
  }
}

export const provisioning: Scenario = {
  id: 'provisioning',
  title: 'Provisioning: simulated devices at once over TLS',
  scope: 'standalone',
  order: 6,
  run,
};

if (require.main === module) {
  run({ log: (m) => process.stderr.write(`${m}\n`) }).then(
    (outcome) => {
      console.log(JSON.stringify({ loadAverage: os.loadavg()[0], ...outcome }, null, 2));
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
