import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCore } from '../../main/core';
import { defaultClientId, defaultUsername } from '../../main/provisioning/agent/bundle';
import { simulatedIdentity } from '../../main/provisioning/agent/simulate';

// Child-process entry for the provisioning benchmark: a whole Fieldbench core (tenancy, PKI, broker with an
// mqtts listener) in a temp data dir, with DEVICES provision requests for simulated devices. Prints
// `READY <json>` (port, CA, activation keys) and `COMPLETED <n>` as requests complete.

const DEVICES = Number(process.env.BENCH_PROVISION_DEVICES ?? 500);
export const BENCH_PASSWORD = 'bench-throw-away';

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-bench-prov-'));
  const core = await createCore({
    dataDir,
    mode: 'headless',
    logLevel: 'warn',
    listeners: { brokerHost: '127.0.0.1', mqttsPort: 0, mqttsMutualPort: 0 },
  });
  const call = async (method: string, request: unknown) => {
    const outcome = await core.dispatch(method as never, request as never, {
      transport: 'internal',
      actor: 'bench',
    });
    if (!outcome.ok) throw new Error(`${method}: ${outcome.error.message}`);
    return outcome.result as never;
  };
  const accounts = (await call('accounts.list', {})) as {
    accounts: { id: string; parentId: string | null }[];
  };
  const root = accounts.accounts.find((a) => a.parentId === null)!;
  const services = (await call('services.list', {})) as { services: { id: string; kind: string }[] };
  const local = services.services.find((s) => s.kind === 'embedded')!;
  const account = (await call('accounts.create', {
    parentId: root.id,
    name: 'fleet',
    serviceId: local.id,
  })) as {
    id: string;
  };
  const keys: string[] = [];
  for (let i = 0; i < DEVICES; i += 16) {
    const batch = Array.from({ length: Math.min(16, DEVICES - i) }, (_, j) => {
      const identity = simulatedIdentity(i + j + 1);
      return call('provisioning.create', {
        targetAccountId: account.id,
        clientId: defaultClientId(identity),
        username: defaultUsername(identity),
        password: BENCH_PASSWORD,
      }) as Promise<{ activationKey: string }>;
    });
    for (const created of await Promise.all(batch)) keys.push(created.activationKey);
  }
  let completed = 0;
  core.events.subscribe((name, data) => {
    if (name === 'provisioning.changed' && (data as { status: string | null }).status === 'COMPLETED') {
      completed += 1;
      process.stdout.write(`COMPLETED ${completed}\n`);
    }
  });
  const port = Number(/mqtts [^ ,)]*:(\d+)/.exec(core.readyDetails().join(', '))?.[1]);
  const { authorities } = (await call('pki.listAuthorities', {})) as {
    authorities: { role: string; certificatePem: string }[];
  };
  const ca = authorities.find((a) => a.role === 'root')!.certificatePem;
  process.stdout.write(`READY ${JSON.stringify({ port, ca, keys })}\n`);
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
