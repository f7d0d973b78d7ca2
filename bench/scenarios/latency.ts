import type { LatencyResult } from '../load/jobs';
import type { Scenario } from './types';

export const latency: Scenario = {
  id: 'latency',
  title: 'Latency at 2,000 msg/s: 1 publisher → 1 subscriber, 64 B QoS 0',
  scope: 'per-broker',
  order: 40,
  async run(ctx) {
    const { result, cpu } = await ctx.measure({
      kind: 'latency',
      port: ctx.broker!.port,
      ratePerSecond: 2000,
      payloadBytes: 64,
      warmupMs: 1000,
      durationMs: 3000,
    });
    const r = result as LatencyResult;
    const note = r.lost ? `${r.lost} lost` : undefined;
    return {
      status: 'ok',
      cpu,
      raw: r,
      metrics: [
        { key: 'p50', label: 'latency p50', unit: 'ms', better: 'lower', value: r.p50Ms },
        {
          key: 'p99',
          label: 'latency p99',
          unit: 'ms',
          better: 'lower',
          value: r.p99Ms,
          ...(note ? { note } : {}),
        },
      ],
    };
  },
};
