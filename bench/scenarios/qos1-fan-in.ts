import { throughputScenario } from './throughput-scenario';

export const qos1FanIn = throughputScenario({
  id: 'qos1-fan-in',
  title: 'QoS 1 fan-in: 8 publishers → 1 subscriber on # (acked both ways), 64 B',
  order: 30,
  metricLabel: 'fan-in QoS 1',
  unit: 'msg/s',
  job: {
    publishers: 8,
    subscribers: 1,
    subscribeTopic: '#',
    qos: 1,
    payloadBytes: 64,
    window: 800,
    batch: 20,
    maxInflightPerPublisher: 100,
    warmupMs: 1000,
    durationMs: 3000,
  },
});
