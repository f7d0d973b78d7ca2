import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT } from '../helpers/cli-process';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';
import { type ProvisioningLab, startLab } from '../provisioning/helpers';
import { runsEnded } from './lab';
import { ptyPair } from './pty';

let lab: ProvisioningLab;
before(async () => {
  lab = await startLab();
});
after(async () => {
  await lab.close();
});

test('fieldbench simulate-serial-gateway is commissioned over a PTY and goes online', async () => {
  const dir = tempDir('fb-gwcli-');
  const pty = await ptyPair(dir);
  const state = path.join(dir, 'flash.json');
  let output = '';
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(REPO_ROOT, 'main/cli/index.ts'),
      'simulate-serial-gateway',
      '--port',
      pty.device,
      '--state',
      state,
      '--serial',
      'CLI-GW-7',
      '--mac',
      '02:FB:5E:00:07:07',
      '--telemetry-ms',
      '500',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  try {
    await waitFor(() => output.includes('listening on'), 'the simulator to start', 30_000);
    await lab.call('serial.addPort', { path: pty.host });
    const { runs } = await lab.call('commissioning.start', {
      ports: [{ path: pty.host }],
      targetAccountId: lab.accountId,
      onlineTimeoutSeconds: 30,
    });
    const run = (await runsEnded(lab, [runs[0]!.id])).get(pty.host)!;
    assert.equal(run.state, 'succeeded', `${run.step}: ${run.detail}\n${output}`);
    assert.equal(run.deviceSerial, 'CLI-GW-7');
    const flash = JSON.parse(fs.readFileSync(state, 'utf8'));
    assert.equal(flash.configuration.clientId, '02FB5E000707');
    assert.match(output, /provisioning CONNECTED_TO_ACCOUNT/);
    assert.ok(!output.includes(flash.settings.password ?? '\0'), 'the simulator does not log secrets');
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await pty.kill();
  }
});
