import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Job } from './load/jobs';
import { startLoad } from './lib/load-process';
import { describeCrash } from './lib/describe-crash';
import { CpuMeter } from './lib/proc-stats';
import { type BenchRecord, renderCpuTable, renderTable } from './lib/report';
import { type Scenario, type ScenarioContext, type ScenarioOutcome, scenarios } from './scenarios';
import { type BrokerTarget, type RunningBroker, targets } from './targets';

// `npm run bench [-- --targets fieldbench,aedes --scenarios fan-in,latency]`
// Set BENCH_CPU_PROF=<dir> to write a V8 CPU profile of the Fieldbench broker process.

const SCENARIO_TIMEOUT_MS = 180_000;

function listArg(name: string): string[] | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]?.split(',').filter(Boolean) : undefined;
}

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function contextFor(broker: RunningBroker | undefined, prefix: string): ScenarioContext {
  return {
    ...(broker ? { broker } : {}),
    startLoad,
    log: (m) => log(`${prefix}: ${m}`),
    async measure(job: Job) {
      const load = await startLoad(job);
      await load.measuring;
      const meter = new CpuMeter();
      const pids = broker ? [broker.pid, load.pid] : [load.pid];
      meter.start(pids);
      const result = await load.result;
      const cpu = meter.stop();
      return {
        result,
        cpu: { brokerPct: broker ? (cpu.get(broker.pid) ?? 0) : 0, generatorPct: cpu.get(load.pid) ?? 0 },
      };
    },
  };
}

async function runScenario(scenario: Scenario, broker: RunningBroker | undefined, label: string) {
  const started = performance.now();
  const loadAverage = os.loadavg()[0] ?? 0;
  let outcome: ScenarioOutcome;
  try {
    outcome = await Promise.race([
      scenario.run(contextFor(broker, `${label} ${scenario.id}`)),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('scenario timed out')), SCENARIO_TIMEOUT_MS).unref(),
      ),
    ]);
  } catch (err) {
    outcome = { status: 'failed', metrics: [], detail: (err as Error).message };
  }
  if (broker?.exit && outcome.status !== 'crashed') {
    outcome = {
      ...outcome,
      status: 'crashed',
      detail: `broker exited (${broker.exit.code ?? broker.exit.signal}): ${describeCrash(broker.exit.stderrTail)}`,
    };
  }
  outcome.loadAverage = loadAverage;
  log(`${label} ${scenario.id}: ${outcome.status} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return outcome;
}

/**
 * Runs every scenario against every target, scenario by scenario (targets interleaved), so a burst of
 * unrelated load on the machine hits all brokers alike. Idle brokers wait in their own processes.
 */
async function runInterleaved(
  chosen: BrokerTarget[],
  selected: Scenario[],
  records: BenchRecord[],
): Promise<void> {
  const running = new Map<string, RunningBroker>();
  const failedToStart = new Set<string>();
  try {
    for (const scenario of selected) {
      for (const target of chosen) {
        if (failedToStart.has(target.id)) continue;
        let broker = running.get(target.id);
        if (broker && !broker.exit && scenario.freshBroker) {
          await broker.stop();
          broker = undefined;
        }
        if (!broker || broker.exit) {
          try {
            broker = await target.start();
          } catch (err) {
            log(`${target.label} did not start: ${(err as Error).message}`);
            failedToStart.add(target.id);
            continue;
          }
          running.set(target.id, broker);
          log(`${target.label} running on port ${broker.port} (pid ${broker.pid})`);
        }
        const outcome = await runScenario(scenario, broker, target.label);
        records.push({ scenarioId: scenario.id, title: scenario.title, targetId: target.id, outcome });
      }
    }
  } finally {
    await Promise.all([...running.values()].map((b) => b.stop()));
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const wantTargets = listArg('targets');
  const wantScenarios = listArg('scenarios');
  const chosenTargets = targets.filter((t) => !wantTargets || wantTargets.includes(t.id));
  const chosen = scenarios.filter((s) => !wantScenarios || wantScenarios.includes(s.id));
  const records: BenchRecord[] = [];
  const labels = new Map(targets.map((t) => [t.id, t.label]));
  const skipped: Record<string, string> = {};

  for (const scenario of chosen.filter((s) => s.scope === 'standalone')) {
    const outcome = await runScenario(scenario, undefined, 'standalone');
    records.push({ scenarioId: scenario.id, title: scenario.title, targetId: 'standalone', outcome });
  }
  const perBroker = chosen.filter((s) => s.scope === 'per-broker');
  const available: BrokerTarget[] = [];
  for (const target of chosenTargets) {
    const why = target.unavailable();
    if (why) {
      skipped[target.id] = why;
      log(`skipping ${target.label}: ${why}`);
    } else {
      available.push(target);
    }
  }
  const ran = available.map((t) => t.id);
  await runInterleaved(available, perBroker, records);

  const seconds = (performance.now() - started) / 1000;
  let text0 = '';
  const cpus = os.cpus();
  const header =
    `Fieldbench broker benchmark — ${new Date().toISOString()} — ${cpus.length}× ${cpus[0]?.model ?? 'cpu'}, ` +
    `node ${process.version}, ${seconds.toFixed(0)} s\nratio columns = Fieldbench ÷ other (↑ higher is better, ↓ lower is better)`;
  const brokerRecords = records.filter((r) => r.targetId !== 'standalone');
  const loads = records.map((r) => r.outcome.loadAverage ?? 0);
  const busy = Math.max(0, ...loads);
  if (busy > 3) {
    text0 = `\nNOTE: other processes were competing for the CPUs (1-min load average up to ${busy.toFixed(1)} at scenario start); treat absolute numbers as noisy.`;
  }
  let text = `${header}${text0}\n\n${renderTable(brokerRecords, ran, labels)}\nCPU during measured windows (% of one core):\n`;
  text += `${renderCpuTable(brokerRecords, ran, labels)}\n`;
  const standalone = records.filter((r) => r.targetId === 'standalone');
  if (standalone.length) {
    labels.set('standalone', 'result');
    text += `\nStandalone scenarios:\n${renderTable(standalone, ['standalone'], labels)}`;
  }
  for (const [id, why] of Object.entries(skipped)) text += `\nskipped ${id}: ${why}`;
  process.stdout.write(`${text}\n`);

  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(
    file,
    JSON.stringify(
      { date: new Date().toISOString(), node: process.version, cpus: cpus.length, seconds, skipped, records },
      null,
      2,
    ),
  );
  process.stdout.write(`\nJSON: ${path.relative(process.cwd(), file)}\n`);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  },
);
