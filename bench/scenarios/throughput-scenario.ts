import type { ThroughputJob, ThroughputResult } from '../load/jobs';
import type { Scenario } from './types';

/** Builds a windowed-throughput scenario reporting deliveries (or messages) per second. */
export function throughputScenario(spec: {
  id: string;
  title: string;
  order: number;
  metricLabel: string;
  /** Count deliveries (fan-out) or published messages delivered (fan-in). */
  unit: 'msg/s' | 'deliveries/s';
  job: Omit<ThroughputJob, 'kind' | 'port'>;
}): Scenario {
  return {
    id: spec.id,
    title: spec.title,
    scope: 'per-broker',
    order: spec.order,
    async run(ctx) {
      const { result, cpu } = await ctx.measure({ kind: 'throughput', port: ctx.broker!.port, ...spec.job });
      const r = result as ThroughputResult;
      const rate = r.delivered / r.seconds;
      return {
        status: 'ok',
        cpu,
        raw: r,
        metrics: [
          {
            key: 'rate',
            label: spec.metricLabel,
            unit: spec.unit,
            better: 'higher',
            value: rate,
            ...(r.stalls ? { note: `${r.stalls} stall(s): messages lost` } : {}),
          },
        ],
      };
    },
  };
}
