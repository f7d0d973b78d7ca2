import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { defaultLimits } from '../../main/broker';
import { ListenerManager } from '../../main/broker/listeners';
import { openStore } from '../../main/store';
import { loadFieldbenchEngine } from './fieldbench-engine';

// Child-process entry: Fieldbench's broker behind a real `mqtt` listener, anonymous allowed, temp data dir.

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-bench-'));
  const logger = pino({ level: 'silent' });
  const store = openStore(dataDir);
  const broker = await loadFieldbenchEngine({ db: store.db, allowAnonymous: true, logger });
  // The load generators connect thousands of clients from 127.0.0.1: per-address limits are counted
  // (their cost is measured) but set out of reach.
  const limits = { ...defaultLimits, maxConnectionsPerAddress: 0, maxUnauthenticatedPerAddress: 0 };
  const listeners = new ListenerManager({ broker, logger, limits: () => limits });
  const status = await listeners.ensureEphemeral({ kind: 'mqtt', host: '127.0.0.1', port: 0 });
  if (status.state !== 'running') throw new Error(status.error ?? 'listener did not start');
  process.stdout.write(`PORT ${status.boundPort}\n`);
  const shutdown = async () => {
    await listeners.close();
    await broker.close();
    store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    // A normal exit lets --cpu-prof write its profile.
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
