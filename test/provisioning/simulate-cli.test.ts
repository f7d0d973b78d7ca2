import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { simulatedIdentity } from '../../main/provisioning/agent/simulate';
import { REPO_ROOT } from '../helpers/cli-process';
import { run } from '../helpers/process';
import { tempDir } from '../helpers/temp-dir';
import { PASSWORD, type ProvisioningLab, startLab } from './helpers';

let lab: ProvisioningLab;
before(async () => {
  lab = await startLab();
});
after(async () => {
  await lab.close();
});

const cli = (...args: string[]) =>
  run(
    process.execPath,
    ['--import', 'tsx', path.join(REPO_ROOT, 'main/cli/index.ts'), 'simulate-provisioning', ...args],
    {
      timeoutMs: 120_000,
    },
  );

test('fieldbench simulate-provisioning provisions N simulated devices whose requests were imported', async () => {
  const count = 6;
  const csv = await cli(
    '--count',
    String(count),
    '--password',
    PASSWORD,
    '--serial-prefix',
    'CLI',
    '--print-csv',
  );
  assert.equal(csv.code, 0, csv.stderr);
  const rows = csv.stdout.trim().split('\n').slice(1);
  assert.equal(rows.length, count);
  const first = simulatedIdentity(1, undefined, 'CLI');
  assert.equal(rows[0], `${first.mac.replaceAll(':', '')},${first.mac}-${first.serial},${PASSWORD}`);
  for (const row of rows) {
    const [clientId, username, password] = row.split(',') as [string, string, string];
    await lab.call('provisioning.create', {
      targetAccountId: lab.accountId,
      clientId,
      username,
      password,
      generateActivationKey: false,
    });
  }
  const caFile = path.join(tempDir('fb-prov-cli-'), 'ca.pem');
  fs.writeFileSync(caFile, lab.ca);
  const result = await cli(
    '--broker-url',
    `mqtts://localhost:${lab.ports.mqtts}`,
    '--ca',
    caFile,
    '--count',
    String(count),
    '--password',
    PASSWORD,
    '--serial-prefix',
    'CLI',
    '--format',
    'kura',
  );
  assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, new RegExp(`${count} provisioned, 0 failed`));
  const { requests } = await lab.call('provisioning.list', {});
  const completed = requests.filter((r) => r.status === 'COMPLETED' && r.username.includes('-CLI-'));
  assert.equal(completed.length, count);

  const bad = await cli(
    '--broker-url',
    `mqtts://localhost:${lab.ports.mqtts}`,
    '--count',
    '1',
    '--password',
    PASSWORD,
  );
  assert.equal(bad.code, 2, 'a missing --ca is a usage error');
  assert.match(bad.stderr, /--ca is required/);
});
