import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCore } from '../../main/core';
import type { MethodName, RequestOf, ResponseOf } from '../../preload/contract';

// Child-process entry: the whole Fieldbench core (tenancy with scrypt-hashed credentials, anonymous off),
// mqtt on a free port (printed as `PORT n`) and ws on BENCH_WS_PORT, one device credential.

export const BENCH_DEVICE = { username: 'bench-device', password: 'Bench-Device-Password-1' };

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-bench-core-'));
  const core = await createCore({
    dataDir,
    mode: 'headless',
    logLevel: 'error',
    listeners: { brokerHost: '127.0.0.1', mqttPort: 0, wsPort: Number(process.env.BENCH_WS_PORT ?? 0) },
  });
  const call = async <M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>> => {
    const outcome = await core.dispatch(method, request, { transport: 'internal', actor: 'bench' });
    if (!outcome.ok) throw new Error(`${method}: ${outcome.error.message}`);
    return outcome.result as ResponseOf<M>;
  };
  const root = (await call('accounts.list', {})).accounts.find((a) => a.depth === 0)!;
  const local = (await call('services.list', {})).services.find((s) => s.kind === 'embedded')!;
  const account = await call('accounts.create', { parentId: root.id, name: 'bench', serviceId: local.id });
  await call('credentials.create', { accountId: account.id, ...BENCH_DEVICE });
  const mqtt = core.listeners.list().find((l) => l.kind === 'mqtt')!;
  process.stdout.write(`PORT ${mqtt.boundPort}\n`);
  const shutdown = async () => {
    await core.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  });
}
