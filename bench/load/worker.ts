import { runFlood } from './flood';
import { runIdle } from './idle';
import type { Job, JobResult, ParentMessage, WorkerMessage } from './jobs';
import { runLatency } from './latency';
import { runThroughput } from './throughput';

// A load-generator process: runs one job sent by the bench coordinator over IPC, reports and exits.

function send(message: WorkerMessage): void {
  process.send?.(message);
}

async function run(job: Job): Promise<JobResult> {
  const measuring = () => send({ type: 'measuring' });
  switch (job.kind) {
    case 'throughput':
      return runThroughput(job, measuring);
    case 'latency':
      return runLatency(job, measuring);
    case 'flood':
      return runFlood(job);
    case 'idle': {
      const { result, clients } = await runIdle(job);
      send({ type: 'result', result });
      // Hold the connections until the coordinator has measured the broker.
      await new Promise<void>((resolve) =>
        process.on('message', (m: ParentMessage) => {
          if (m.type === 'release') resolve();
        }),
      );
      for (const c of clients) c.socket.destroy();
      return result;
    }
  }
}

process.once('message', (message: ParentMessage) => {
  if (message.type !== 'run') return;
  run(message.job).then(
    (result) => {
      if (message.job.kind !== 'idle') send({ type: 'result', result });
      process.disconnect?.();
      setTimeout(() => process.exit(0), 100).unref();
    },
    (err: Error) => {
      send({ type: 'error', message: err.message });
      process.disconnect?.();
      setTimeout(() => process.exit(1), 100).unref();
    },
  );
});
send({ type: 'ready' });
