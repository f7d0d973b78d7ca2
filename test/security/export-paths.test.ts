import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tempDir } from '../helpers/temp-dir';
import { type ExplorerCore, startExplorerCore } from './explorer-core';

const KEY_LINE = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKeyOfTheAttacker attacker@lab';

describe('explorer.export writes only into the exports folder', () => {
  let f: ExplorerCore;
  let home: string;
  before(async () => {
    f = await startExplorerCore();
    home = tempDir('fb-home-');
    await f.publishStored('lab/keys', KEY_LINE);
  });
  after(() => f.close());

  test("a device's payload cannot be exported to ~/.ssh/authorized_keys (absolute path, no folder created)", async () => {
    const target = path.join(home, '.ssh', 'authorized_keys');
    for (const format of ['csv', 'json'] as const) {
      const error = await f.refusal('explorer.export', {
        connectionId: 'local',
        topic: 'lab/#',
        format,
        file: target,
      });
      assert.equal(error.code, 'BAD_REQUEST');
      assert.match(error.message, /names a folder/);
    }
    assert.equal(fs.existsSync(path.join(home, '.ssh')), false, 'no .ssh folder was created');
  });

  test('names with .., separators, NUL, a leading dot, a wrong extension or too long are refused', async () => {
    const bad = [
      '../escape.csv',
      '../../.ssh/authorized_keys',
      'sub/dir.csv',
      'back\\slash.csv',
      'nul\u0000.csv',
      'line\nbreak.csv',
      'invoice\u202Evsc.exe.csv',
      '.hidden.csv',
      '..',
      'authorized_keys',
      'messages.json',
      'script.sh',
      `${'x'.repeat(200)}.csv`,
      '',
    ];
    for (const file of bad) {
      const error = await f.refusal('explorer.export', { connectionId: 'local', format: 'csv', file });
      assert.equal(error.code, 'BAD_REQUEST', `"${file}" is refused as a bad request`);
      assert.ok(!error.message.includes('\u0000'), 'the message carries no NUL');
    }
    assert.equal(fs.existsSync(path.join(f.dataDir, 'escape.csv')), false);
    assert.equal(fs.existsSync(path.join(path.dirname(f.dataDir), 'escape.csv')), false);
  });

  test('a plain name lands in <dataDir>/exports, owner-only, and is never overwritten unless asked', async () => {
    const res = await f.call('explorer.export', {
      connectionId: 'local',
      topic: 'lab/#',
      format: 'csv',
      file: 'keys.csv',
    });
    assert.deepEqual(res, { file: 'keys.csv', count: 1 });
    const written = path.join(f.exportsDir, 'keys.csv');
    assert.match(fs.readFileSync(written, 'utf8'), /lab\/keys/);
    assert.equal(fs.statSync(written).mode & 0o777, 0o600);
    assert.equal(fs.statSync(f.exportsDir).mode & 0o777, 0o700);
    const again = await f.refusal('explorer.export', {
      connectionId: 'local',
      format: 'csv',
      file: 'keys.csv',
    });
    assert.equal(again.code, 'CONFLICT');
    fs.writeFileSync(written, 'old');
    await f.call('explorer.export', {
      connectionId: 'local',
      format: 'csv',
      file: 'keys.csv',
      overwrite: true,
    });
    assert.match(fs.readFileSync(written, 'utf8'), /^id,time,topic/);
  });

  test('a link planted in the exports folder is neither followed nor written through', async () => {
    const outside = path.join(home, 'victim.csv');
    fs.writeFileSync(outside, 'untouched');
    fs.mkdirSync(f.exportsDir, { recursive: true });
    fs.symlinkSync(outside, path.join(f.exportsDir, 'planted.csv'));
    const error = await f.refusal('explorer.export', {
      connectionId: 'local',
      format: 'csv',
      file: 'planted.csv',
    });
    assert.equal(error.code, 'CONFLICT');
    assert.equal(fs.readFileSync(outside, 'utf8'), 'untouched');
    await f.call('explorer.export', {
      connectionId: 'local',
      format: 'csv',
      file: 'planted.csv',
      overwrite: true,
    });
    assert.equal(fs.readFileSync(outside, 'utf8'), 'untouched', 'the link target was not written');
    assert.ok(
      fs.lstatSync(path.join(f.exportsDir, 'planted.csv')).isFile(),
      'the link was replaced by a file',
    );
  });

  test('an exports folder swapped for a link elsewhere is refused', async () => {
    const g = await startExplorerCore();
    try {
      await g.call('explorer.files.list', {}); // creates and remembers the real folder
      const elsewhere = tempDir('fb-elsewhere-');
      fs.rmSync(g.exportsDir, { recursive: true });
      fs.symlinkSync(elsewhere, g.exportsDir);
      const error = await g.refusal('explorer.export', {
        connectionId: 'local',
        format: 'csv',
        file: 'x.csv',
      });
      assert.equal(error.code, 'UNAVAILABLE');
      assert.deepEqual(fs.readdirSync(elsewhere), []);
    } finally {
      await g.close();
    }
  });
});
