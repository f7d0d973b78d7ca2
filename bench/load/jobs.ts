/** Work a load-generator process is asked to do; every job targets one broker port on 127.0.0.1. */
export interface ThroughputJob {
  kind: 'throughput';
  port: number;
  publishers: number;
  subscribers: number;
  /** Filter every subscriber uses; publishers publish to `bench/t/<index>`, or `publishTopic` when set. */
  subscribeTopic: string;
  publishTopic?: string;
  qos: 0 | 1;
  payloadBytes: number;
  /** Most messages (per subscriber) in flight between publish and delivery. */
  window: number;
  /** Publishes per write. */
  batch: number;
  /** QoS 1 only: most unacknowledged publishes per publisher. */
  maxInflightPerPublisher?: number;
  warmupMs: number;
  durationMs: number;
}

export interface ThroughputResult {
  kind: 'throughput';
  /** Messages published in the measured window. */
  published: number;
  /** PUBLISH packets received by all subscribers in the measured window. */
  delivered: number;
  seconds: number;
  /** Times the window had to be reset because deliveries stopped (messages lost). */
  stalls: number;
  /** Bytes the subscribers read in the measured window (a cross-check of `delivered`). */
  bytesReceived: number;
}

export interface LatencyJob {
  kind: 'latency';
  port: number;
  ratePerSecond: number;
  payloadBytes: number;
  warmupMs: number;
  durationMs: number;
}

export interface LatencyResult {
  kind: 'latency';
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  lost: number;
}

export interface IdleJob {
  kind: 'idle';
  port: number;
  count: number;
  concurrency: number;
  clientIdPrefix: string;
}

export interface IdleResult {
  kind: 'idle';
  connected: number;
  failed: number;
  firstError?: string;
  seconds: number;
}

export interface FloodJob {
  kind: 'flood';
  port: number;
  publishers: number;
  payloadBytes: number;
  batch: number;
  durationMs: number;
}

export interface FloodResult {
  kind: 'flood';
  published: number;
  delivered: number;
  /** Generator connections the broker closed during the flood. */
  closedByBroker: number;
  seconds: number;
}

export type Job = ThroughputJob | LatencyJob | IdleJob | FloodJob;
export type JobResult = ThroughputResult | LatencyResult | IdleResult | FloodResult;

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'measuring' }
  | { type: 'result'; result: JobResult }
  | { type: 'error'; message: string };

export type ParentMessage = { type: 'run'; job: Job } | { type: 'release' };
