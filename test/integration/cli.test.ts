import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { NODE_RUNTIME_FLAGS } from '../../main/cli/runtime-flags';
import { CLI, loopbackArgs, REPO_ROOT, runCli, startCli } from '../helpers/cli-process';
import { run } from '../helpers/process';
import { tempDir } from '../helpers/temp-dir';

describe('fieldbench command line', () => {
  test('npm start, npm run serve and the fieldbench bin all pass the runtime V8 flags', async () => {
    const flags = NODE_RUNTIME_FLAGS.join(' ');
    const scripts = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).scripts;
    for (const name of ['start', 'serve']) {
      assert.ok(scripts[name].includes(`node ${flags} out/main/cli.js`), `npm run ${name}: ${scripts[name]}`);
    }
    const shebang = fs.readFileSync(CLI, 'utf8').split('\n')[0]!;
    assert.equal(shebang, `#!/usr/bin/env -S node ${flags}`);
    // The shebang line itself runs (env -S splits the flags), as the installed bin would.
    const [command, ...args] = shebang.slice(2).split(' ');
    const result = await run(command!, [...args, CLI, '--version']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^\d+\.\d+\.\d+/);
  });

  test('--help lists the headless and broker options', async () => {
    const { code, stdout } = await runCli(['serve', '--help']);
    assert.equal(code, 0);
    for (const option of [
      '--data-dir',
      '--host',
      '--http-port',
      '--log-level',
      '--mqtt-port',
      '--allow-anonymous',
      '--config',
    ]) {
      assert.ok(stdout.includes(option), `help mentions ${option}`);
    }
  });

  test('unknown flags and bad values fail with a clear message and exit code 2', async () => {
    for (const args of [
      ['--bogus'],
      ['--http-port', 'eighty'],
      ['--http-port', '70000'],
      ['--log-level', 'loud'],
      ['frobnicate'],
    ]) {
      const { code, stderr } = await runCli(args);
      assert.equal(code, 2, `exit code for ${args.join(' ')}`);
      assert.match(stderr, /^fieldbench: .+\nRun "fieldbench --help"/, `message for ${args.join(' ')}`);
    }
  });

  test('start without Electron falls back to headless with one explaining line, then stops cleanly on SIGTERM', async () => {
    const dataDir = tempDir();
    const app = await startCli(loopbackArgs('start', dataDir));
    const lines = app.output().split('\n').filter(Boolean);
    assert.ok(
      lines.some((l) => /^Starting headless: Electron is not installed/.test(l)),
      `explains the fallback:\n${app.output()}`,
    );
    assert.match(app.readyLine, /^Fieldbench ready — open http:\/\/127\.0\.0\.1:\d+\/#token=/);
    const stopped = await app.stop('SIGTERM');
    assert.equal(stopped.code, 0);
    assert.ok(stopped.ms < 2000, `stopped in ${stopped.ms} ms`);
    const wal = path.join(dataDir, 'fieldbench.db-wal');
    assert.ok(!fs.existsSync(wal) || fs.statSync(wal).size === 0, 'no WAL left needing recovery');
    assert.equal(fs.existsSync(path.join(dataDir, 'fieldbench.lock')), false, 'lock released');
    // Ctrl-C in a terminal: the same clean stop, and the data directory is reusable at once.
    const again = await startCli(loopbackArgs('serve', dataDir));
    const interrupted = await again.stop('SIGINT');
    assert.equal(interrupted.code, 0);
    assert.ok(interrupted.ms < 2000, `stopped in ${interrupted.ms} ms`);
  });

  test('a second Fieldbench on the same data directory refuses to start', async () => {
    const dataDir = tempDir();
    const first = await startCli(loopbackArgs('serve', dataDir));
    try {
      const second = await runCli(loopbackArgs('serve', dataDir));
      assert.equal(second.code, 1);
      assert.match(second.stderr, /in use by another Fieldbench process \(pid \d+\)/);
    } finally {
      await first.stop();
    }
  });

  test('a corrupt database stops start-up with a clear message and is kept', async () => {
    const dataDir = tempDir();
    const db = path.join(dataDir, 'fieldbench.db');
    fs.writeFileSync(db, 'this is not sqlite'.repeat(1000));
    const { code, stderr } = await runCli(loopbackArgs('serve', dataDir));
    assert.equal(code, 1);
    assert.match(stderr, /is not a valid Fieldbench database or is damaged/);
    assert.equal(fs.readFileSync(db, 'utf8'), 'this is not sqlite'.repeat(1000));
  });

  test('an invalid --config file names the offending key', async () => {
    const dataDir = tempDir();
    const config = path.join(dataDir, 'config.json');
    fs.writeFileSync(config, JSON.stringify({ broker: { maxPacketSize: -1, colour: 'blue' } }));
    const { code, stderr } = await runCli(loopbackArgs('serve', dataDir, '--config', config));
    assert.equal(code, 1);
    assert.match(stderr, /broker\.maxPacketSize/);
    assert.match(stderr, /colour/);
    fs.writeFileSync(config, '{ not json');
    const broken = await runCli(loopbackArgs('serve', dataDir, '--config', config));
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /is not valid JSON/);
  });

  test('--host other than loopback prints a warning', async () => {
    const dataDir = tempDir();
    const app = await startCli(loopbackArgs('serve', dataDir, '--host', '0.0.0.0'));
    try {
      assert.match(app.output(), /Warning: the operator UI listens on 0\.0\.0\.0/);
    } finally {
      await app.stop();
    }
  });
});
