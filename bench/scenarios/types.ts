import type { Job, JobResult } from '../load/jobs';
import type { LoadProcess } from '../lib/load-process';
import type { RunningBroker } from '../targets';

export interface Metric {
  /** Stable key used in the JSON output and to line up columns. */
  key: string;
  label: string;
  unit: string;
  better: 'higher' | 'lower';
  /** null when the broker crashed or the scenario could not measure it. */
  value: number | null;
  note?: string;
}

export interface ScenarioOutcome {
  status: 'ok' | 'crashed' | 'failed';
  metrics: Metric[];
  /** CPU during the measured window, percent of one core. */
  cpu?: { brokerPct: number; generatorPct: number };
  detail?: string;
  raw?: unknown;
  /** 1-minute load average when the scenario started (the bench shares the machine). */
  loadAverage?: number;
}

export interface ScenarioContext {
  /** The broker under test; absent for `standalone` scenarios. */
  broker?: RunningBroker;
  /** Starts a load-generator process for one job. */
  startLoad(job: Job, timeoutMs?: number): Promise<LoadProcess>;
  /** Runs one generator job and measures broker + generator CPU over its measured window. */
  measure(job: Job): Promise<{ result: JobResult; cpu: { brokerPct: number; generatorPct: number } }>;
  log(message: string): void;
}

/**
 * One benchmark scenario. `per-broker` scenarios run once against every broker target;
 * `standalone` ones (e.g. PKI issuing) run once without a broker.
 */
export interface Scenario {
  id: string;
  title: string;
  scope: 'per-broker' | 'standalone';
  /** Lower runs first; destructive scenarios (flood) go last. */
  order: number;
  /** Start the broker afresh first, so memory figures are not skewed by earlier scenarios. */
  freshBroker?: boolean;
  run(ctx: ScenarioContext): Promise<ScenarioOutcome>;
}
