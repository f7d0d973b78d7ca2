import type { IdleResult } from '../load/jobs';
import { rssBytes } from '../lib/proc-stats';
import type { Scenario } from './types';

const TOTAL = Number(process.env['BENCH_IDLE_CONNECTIONS'] ?? 19_000);
// The per-process file limit here is 20,000, so the client side is split across processes.
const PER_PROCESS = 9_500;

export const idleConnections: Scenario = {
  id: 'idle-connections',
  title: `Memory per idle connection (${TOTAL.toLocaleString('en')} MQTT 3.1.1 connections, keep-alive 0)`,
  scope: 'per-broker',
  freshBroker: true,
  order: 50,
  async run(ctx) {
    const broker = ctx.broker!;
    await sleep(1000);
    const before = rssBytes(broker.pid);
    const processes = Math.ceil(TOTAL / PER_PROCESS);
    const loads = await Promise.all(
      Array.from({ length: processes }, (_, i) =>
        ctx.startLoad(
          {
            kind: 'idle',
            port: broker.port,
            count: Math.min(PER_PROCESS, TOTAL - i * PER_PROCESS),
            concurrency: 100,
            clientIdPrefix: `idle-${i}`,
          },
          150_000,
        ),
      ),
    );
    try {
      const results = (await Promise.all(loads.map((l) => l.result))) as IdleResult[];
      await sleep(2000);
      const after = rssBytes(broker.pid);
      const connected = results.reduce((n, r) => n + r.connected, 0);
      const seconds = Math.max(...results.map((r) => r.seconds));
      const firstError = results.find((r) => r.firstError)?.firstError;
      if (broker.exit) return { status: 'crashed', metrics: [metric(null)], detail: broker.exit.stderrTail };
      const perConnection = connected ? (after - before) / connected / 1024 : null;
      ctx.log(`${connected} connected in ${seconds.toFixed(1)} s; RSS ${mib(before)} → ${mib(after)} MiB`);
      return {
        status: connected ? 'ok' : 'failed',
        raw: { connected, seconds, rssBefore: before, rssAfter: after, firstError },
        metrics: [
          metric(
            perConnection,
            connected < TOTAL ? `only ${connected} connected (${firstError})` : undefined,
          ),
          {
            key: 'connected',
            label: 'idle connections held',
            unit: 'conns',
            better: 'higher',
            value: connected,
          },
          {
            key: 'connect-rate',
            label: 'connection setup',
            unit: 'conn/s',
            better: 'higher',
            value: connected / seconds,
          },
        ],
      };
    } finally {
      for (const l of loads) l.release();
      await Promise.all(loads.map((l) => l.result.catch(() => undefined)));
      await sleep(1500);
    }
  },
};

function metric(value: number | null, note?: string) {
  return {
    key: 'rss-per-conn',
    label: 'RSS per idle connection',
    unit: 'KiB',
    better: 'lower' as const,
    value,
    ...(note ? { note } : {}),
  };
}

function mib(bytes: number): string {
  return (bytes / 1048576).toFixed(0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
