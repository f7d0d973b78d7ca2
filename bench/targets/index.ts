import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startChildBroker } from './child-broker';
import { NODE_RUNTIME_FLAGS } from '../../main/cli/runtime-flags';
import type { BrokerTarget } from './types';

export type { BrokerTarget, RunningBroker } from './types';

const MOSQUITTO = '/usr/sbin/mosquitto';

function nodeEntry(file: string, extraArgs: string[] = []): string[] {
  return [...extraArgs, '--import', 'tsx', path.join(__dirname, file)];
}

const fieldbench: BrokerTarget = {
  id: 'fieldbench',
  label: 'Fieldbench',
  unavailable: () => undefined,
  start: () => {
    const profileDir = process.env['BENCH_CPU_PROF'];
    const profArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    return startChildBroker({
      targetId: 'fieldbench',
      command: process.execPath,
      // The broker runs with the product's own V8 flags, as `npm start` runs it.
      args: nodeEntry('fieldbench-server.ts', [...NODE_RUNTIME_FLAGS, ...profArgs]),
    });
  },
};

const aedes: BrokerTarget = {
  id: 'aedes',
  label: 'aedes',
  unavailable: () => undefined,
  start: () =>
    startChildBroker({ targetId: 'aedes', command: process.execPath, args: nodeEntry('aedes-server.ts') }),
};

const mosquitto: BrokerTarget = {
  id: 'mosquitto',
  label: 'mosquitto',
  unavailable: () => (fs.existsSync(MOSQUITTO) ? undefined : `${MOSQUITTO} is not installed`),
  start: async () => {
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-mosq-'));
    const config = path.join(dir, 'mosquitto.conf');
    fs.writeFileSync(
      config,
      [
        `listener ${port} 127.0.0.1`,
        'allow_anonymous true',
        'persistence false',
        // set_tcp_nodelay stays at its default (off): on a quiet machine mosquitto is faster with Nagle.
        // Room for the QoS 1 window so the broker does not drop what the generator keeps in flight.
        'max_queued_messages 10000',
        'log_dest stderr',
        'log_type error',
        '',
      ].join('\n'),
    );
    return startChildBroker({
      targetId: 'mosquitto',
      command: MOSQUITTO,
      args: ['-c', config],
      port,
      cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
    });
  },
};

/** Brokers compared, in table-column order. */
export const targets: BrokerTarget[] = [fieldbench, aedes, mosquitto];
