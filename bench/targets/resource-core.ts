import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCore } from '../../main/core';

// Child-process entry for the resources scenario: the whole core (mqtt, ws, rest listeners on free
// loopback ports), one account with an operator key and one Thng. Prints one JSON line to use them.

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-bench-res-'));
  const core = await createCore({
    dataDir,
    mode: 'headless',
    logLevel: 'warn',
    listeners: { brokerHost: '127.0.0.1', mqttPort: 0, wsPort: 0, restPort: 0 },
  });
  const call = async (method: string, request: unknown) => {
    const outcome = await core.dispatch(method as never, request as never, {
      transport: 'internal',
      actor: 'bench',
    });
    if (!outcome.ok) throw new Error(`${method}: ${outcome.error.message}`);
    return outcome.result as Record<string, unknown> & { id: string };
  };
  const services = (await call('services.list', {})) as unknown as {
    services: { id: string; kind: string }[];
  };
  const accounts = (await call('accounts.list', {})) as unknown as {
    accounts: { id: string; parentId: string | null }[];
  };
  const account = await call('accounts.create', {
    parentId: accounts.accounts.find((a) => a.parentId === null)!.id,
    name: 'bench',
    serviceId: services.services.find((s) => s.kind === 'embedded')!.id,
  });
  const key = (await call('apiKeys.create', {
    accountId: account.id,
    name: 'bench',
    type: 'operator',
    scopes: ['mqtt', 'api.read', 'api.write'],
    permissions: [],
    expiresAt: null,
  })) as unknown as { key: string };
  const thng = await call('resources.createThng', { accountId: account.id, name: 'bench-thng' });
  const ports = Object.fromEntries(
    core.readyDetails().map((d) => [d.split(' ')[0], Number(/:(\d+)$/.exec(d)?.[1])]),
  );
  process.stdout.write(`${JSON.stringify({ ports, key: key.key, thngId: thng.id })}\n`);
  const shutdown = async () => {
    await core.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
