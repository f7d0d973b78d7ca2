import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import type { Job, JobResult, WorkerMessage } from '../load/jobs';

const WORKER = path.join(__dirname, '..', 'load', 'worker.ts');

/** A load-generator child process running one job. */
export interface LoadProcess {
  readonly pid: number;
  /** Resolves when the worker starts its measured window (throughput and latency jobs). */
  readonly measuring: Promise<void>;
  readonly result: Promise<JobResult>;
  /** Idle jobs: drop the held connections and exit. */
  release(): void;
  kill(): void;
}

export async function startLoad(job: Job, timeoutMs = 120_000): Promise<LoadProcess> {
  const child: ChildProcess = fork(WORKER, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let onMeasuring = () => {};
  const measuring = new Promise<void>((resolve) => {
    onMeasuring = resolve;
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', (m: WorkerMessage) =>
      m.type === 'ready' ? resolve() : reject(new Error('bad worker')),
    );
    child.once('exit', (code) => reject(new Error(`load worker exited early (${code})`)));
  });
  const result = new Promise<JobResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`load job ${job.kind} timed out`));
    }, timeoutMs);
    child.on('message', (m: WorkerMessage) => {
      if (m.type === 'measuring') onMeasuring();
      if (m.type === 'result') {
        clearTimeout(timer);
        resolve(m.result);
      }
      if (m.type === 'error') {
        clearTimeout(timer);
        reject(new Error(m.message));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      onMeasuring();
      reject(new Error(`load worker exited (${code}) before reporting`));
    });
  });
  result.catch(() => {});
  child.send({ type: 'run', job });
  return {
    pid: child.pid!,
    measuring,
    result,
    release: () => {
      if (child.connected) child.send({ type: 'release' });
    },
    kill: () => child.kill('SIGKILL'),
  };
}
