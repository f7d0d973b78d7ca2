import type { FloodResult } from '../load/jobs';
import { describeCrash } from '../lib/describe-crash';
import { rssBytes } from '../lib/proc-stats';
import { connectRaw } from '../lib/raw-client';
import type { Scenario } from './types';

const FLOOD_MS = 5000;

export const flood: Scenario = {
  id: 'flood',
  title: 'Uncapped flood: 4 publishers write QoS 0 as fast as TCP allows for 5 s, 1 subscriber on #',
  scope: 'per-broker',
  freshBroker: true,
  order: 100,
  async run(ctx) {
    const broker = ctx.broker!;
    const before = rssBytes(broker.pid);
    let peak = before;
    const sampler = setInterval(() => {
      const rss = rssBytes(broker.pid);
      if (rss > peak) peak = rss;
    }, 200);
    let result: FloodResult | undefined;
    let failure: string | undefined;
    try {
      const load = await ctx.startLoad({
        kind: 'flood',
        port: broker.port,
        publishers: 4,
        payloadBytes: 64,
        batch: 200,
        durationMs: FLOOD_MS,
      });
      result = (await load.result) as FloodResult;
    } catch (err) {
      failure = (err as Error).message;
    }
    // Give the broker time to drain (or die) before judging it.
    await sleep(3000);
    clearInterval(sampler);
    const after = rssBytes(broker.pid);
    const alive = !broker.exit && (await responds(broker.port));
    const survived = alive ? 1 : 0;
    const status = broker.exit ? 'crashed' : alive ? 'ok' : 'failed';
    const mibOf = (b: number) => (Number.isFinite(b) ? b / 1048576 : null);
    return {
      status,
      ...(broker.exit
        ? {
            detail: `exit ${broker.exit.code ?? broker.exit.signal}: ${describeCrash(broker.exit.stderrTail)}`,
          }
        : {}),
      ...(failure ? { detail: failure } : {}),
      raw: { result, before, peak, after },
      metrics: [
        {
          key: 'survived',
          label: 'flood: broker survived',
          unit: 'yes=1',
          better: 'higher',
          value: survived,
        },
        {
          key: 'accepted',
          label: 'flood: publishes accepted',
          unit: 'msg/s',
          better: 'higher',
          value: result ? result.published / result.seconds : null,
        },
        {
          key: 'delivered',
          label: 'flood: delivered',
          unit: 'msg/s',
          better: 'higher',
          value: result ? result.delivered / result.seconds : null,
        },
        { key: 'rss-before', label: 'flood: RSS before', unit: 'MiB', better: 'lower', value: mibOf(before) },
        { key: 'rss-peak', label: 'flood: RSS peak', unit: 'MiB', better: 'lower', value: mibOf(peak) },
        {
          key: 'rss-after',
          label: 'flood: RSS 3 s after',
          unit: 'MiB',
          better: 'lower',
          value: alive ? mibOf(after) : null,
        },
      ],
    };
  },
};

async function responds(port: number): Promise<boolean> {
  try {
    const client = await connectRaw(port, 'bench-flood-probe', undefined, '127.0.0.1', 10_000);
    client.socket.destroy();
    return true;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
