import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { NODE_RUNTIME_FLAGS } from '../../main/cli/runtime-flags';
import { CONNACK, connectPacket, encodePublish, FrameScanner, PUBACK } from '../lib/mqtt-frames';
import { freePort, startChildBroker } from '../targets/child-broker';
import { BENCH_DEVICE } from '../targets/fieldbench-core-server';
import type { Metric, Scenario, ScenarioContext, ScenarioOutcome } from './types';

/*
 * A legitimate device's connect-and-publish latency (TCP connect → CONNACK with its scrypt-checked
 * password → QoS 1 PUBLISH → PUBACK) on an idle Fieldbench, then while (a) 1,000 bogus logins (made-up
 * usernames and wrong passwords, from 127.0.0.2, as many in flight as the per-address limits admit) and
 * (b) 50 WebSocket frames each declaring 200 MiB (from 127.0.0.3) arrive. The whole core runs in a child
 * process (`bench/targets/fieldbench-core-server.ts`). Target: p99 under attack ≤ 3 × idle p99.
 * Run alone: `node --import tsx bench/scenarios/hostile-traffic.ts`.
 */

const IDLE_SAMPLES = Number(process.env.BENCH_HOSTILE_IDLE_SAMPLES ?? 500);
const MiB = 1024 * 1024;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** One device session: connect, log in, publish QoS 1, wait for PUBACK, disconnect. Resolves with ms. */
function connectAndPublish(port: number, n: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    const timer = setTimeout(() => fail(new Error('no PUBACK within 30 s')), 30_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const scanner = new FrameScanner((header, buf, start) => {
      const type = header >> 4;
      if (type === CONNACK) {
        if (buf[start + 1] !== 0) return fail(new Error(`device refused: CONNACK ${buf[start + 1]}`));
        socket.write(encodePublish('bench/device/telemetry', Buffer.from(`{"n":${n}}`), 1, 1));
      } else if (type === PUBACK) {
        clearTimeout(timer);
        resolve(performance.now() - started);
        socket.end(Buffer.from([0xe0, 0x00]));
      }
    });
    socket.on('data', (chunk) => scanner.push(chunk));
    socket.once('error', fail);
    socket.once('connect', () =>
      socket.write(connectPacket(`bench-device-${n}`, BENCH_DEVICE.username, BENCH_DEVICE.password)),
    );
  });
}

/** Device sessions one after the other until `until()` says stop (at least `min`). */
async function sampleDevice(port: number, min: number, until: () => boolean): Promise<number[]> {
  const samples: number[] = [];
  while (samples.length < min || !until()) samples.push(await connectAndPublish(port, samples.length));
  return samples;
}

function summary(samples: number[]): { p50: number; p99: number; n: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), n: sorted.length };
}

function metric(key: string, label: string, unit: string, value: number, note?: string): Metric {
  return { key, label, unit, better: 'lower', value: Math.round(value * 10) / 10, ...(note ? { note } : {}) };
}

/** Runs `bench/load/hostile-attacker.ts` in its own process; resolves with what it reports when done. */
function attack<T>(mode: string, port: number): Promise<T> {
  const script = path.join(__dirname, '../load/hostile-attacker.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, mode, String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => {
      const match = /DONE (.+)/.exec(out);
      if (code === 0 && match) resolve(JSON.parse(match[1]!) as T);
      else reject(new Error(`attacker ${mode} failed (${code}): ${err.slice(-500)}`));
    }),
  );
}

/** Samples the device until the attack finishes (at least `min` sessions). */
async function sampleDuring<T>(port: number, min: number, attacking: Promise<T>) {
  let done = false;
  const started = performance.now();
  const result = attacking.finally(() => {
    done = true;
  });
  const samples = summary(await sampleDevice(port, min, () => done));
  return { samples, result: await result, seconds: (performance.now() - started) / 1000 };
}

async function run(ctx: Pick<ScenarioContext, 'log'>): Promise<ScenarioOutcome> {
  const wsPort = await freePort();
  const broker = await startChildBroker({
    targetId: 'fieldbench-core',
    command: process.execPath,
    args: [
      ...NODE_RUNTIME_FLAGS,
      '--import',
      'tsx',
      path.join(__dirname, '../targets/fieldbench-core-server.ts'),
    ],
    env: { BENCH_WS_PORT: String(wsPort) },
  });
  try {
    await sampleDevice(broker.port, 5, () => true); // warm-up
    const idle = summary(await sampleDevice(broker.port, IDLE_SAMPLES, () => true));
    ctx.log(`idle: p50 ${idle.p50.toFixed(1)} ms, p99 ${idle.p99.toFixed(1)} ms (${idle.n} sessions)`);

    const logins = await sampleDuring(
      broker.port,
      10,
      attack<{ sent: number; total: number; refusedByConnack: number; closedUnanswered: number }>(
        'bogus-logins',
        broker.port,
      ),
    );
    const b = logins.result;
    ctx.log(
      `${b.sent} of ${b.total} bogus logins sent in ${logins.seconds.toFixed(1)} s (${b.refusedByConnack} refused ` +
        `by CONNACK, ${b.closedUnanswered} closed unanswered, e.g. over the per-address limit): device p50 ${logins.samples.p50.toFixed(1)} ms, ` +
        `p99 ${logins.samples.p99.toFixed(1)} ms (${logins.samples.n} sessions)`,
    );

    const frames = await sampleDuring(
      broker.port,
      10,
      attack<{ frames: number; maxSentBytes: number }>('oversized-frames', wsPort),
    );
    const f = frames.result;
    ctx.log(
      `${f.frames} frames declaring 200 MiB, each closed after at most ${(f.maxSentBytes / MiB).toFixed(0)} MiB ` +
        `written (${frames.seconds.toFixed(1)} s): device p50 ${frames.samples.p50.toFixed(1)} ms, ` +
        `p99 ${frames.samples.p99.toFixed(1)} ms (${frames.samples.n} sessions)`,
    );
    if (broker.exit) return { status: 'crashed', metrics: [], detail: broker.exit.stderrTail };
    return {
      status: 'ok',
      raw: { idle, logins, frames },
      metrics: [
        metric('hostile-idle-p99', 'device connect+publish p99, idle', 'ms', idle.p99),
        metric(
          'hostile-logins-p99',
          `… during bogus logins (${b.sent} of ${b.total} in ${logins.seconds.toFixed(0)} s)`,
          'ms',
          logins.samples.p99,
        ),
        metric('hostile-logins-ratio', '… ratio to idle (target ≤ 3)', '×', logins.samples.p99 / idle.p99),
        metric('hostile-frames-p99', `… during ${f.frames} oversized WS frames`, 'ms', frames.samples.p99),
        metric('hostile-frames-ratio', '… ratio to idle (target ≤ 3)', '×', frames.samples.p99 / idle.p99),
      ],
    };
  } finally {
    await broker.stop();
  }
}

export const hostileTraffic: Scenario = {
  id: 'hostile-traffic',
  title: 'Device connect+publish p99 under bogus logins and oversized WebSocket frames (ratio to idle)',
  scope: 'standalone',
  order: 95,
  run: (ctx) => run(ctx),
};

if (require.main === module) {
  run({ log: (m) => console.log(m) }).then(
    (outcome) => {
      for (const m of outcome.metrics) console.log(`${m.label}: ${m.value} ${m.unit}`);
      process.exit(outcome.status === 'ok' ? 0 : 1);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
