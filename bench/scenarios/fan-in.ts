import { throughputScenario } from './throughput-scenario';

export const fanIn = throughputScenario({
  id: 'fan-in',
  title: 'Fan-in: 8 publishers → 1 subscriber on #, 64 B QoS 0',
  order: 10,
  metricLabel: 'fan-in QoS 0',
  unit: 'msg/s',
  job: {
    publishers: 8,
    subscribers: 1,
    subscribeTopic: '#',
    qos: 0,
    payloadBytes: 64,
    window: 8000,
    batch: 200,
    warmupMs: 1000,
    durationMs: 3000,
  },
});
