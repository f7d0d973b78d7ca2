import { throughputScenario } from './throughput-scenario';

export const fanOut = throughputScenario({
  id: 'fan-out',
  title: 'Fan-out: 1 publisher → 50 subscribers, 64 B QoS 0',
  order: 20,
  metricLabel: 'fan-out QoS 0',
  unit: 'deliveries/s',
  job: {
    publishers: 1,
    subscribers: 50,
    subscribeTopic: 'bench/fanout',
    publishTopic: 'bench/fanout',
    qos: 0,
    payloadBytes: 64,
    window: 4000,
    batch: 100,
    warmupMs: 1000,
    durationMs: 3000,
  },
});
