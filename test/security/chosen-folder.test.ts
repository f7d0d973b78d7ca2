import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createCore } from '../../main/core';
import { callCore } from '../helpers/core-call';
import { tempDir } from '../helpers/temp-dir';

test('desktop: files go to the folder the operator chose in the dialog, and only by name', async () => {
  const dataDir = tempDir('fb-chosen-');
  const picked = tempDir('fb-picked-');
  let answer: string | null = null;
  const core = await createCore({
    dataDir,
    mode: 'desktop',
    chooseExportFolder: async () => answer, // stands in for Electron's folder dialog
  });
  try {
    const before = await callCore(core, 'explorer.files.list', {});
    assert.equal(before.folder, path.join(dataDir, 'exports'));
    assert.equal(before.canChooseFolder, true);
    // Cancelling the dialog changes nothing.
    assert.equal((await callCore(core, 'explorer.files.chooseFolder', {})).chosenByOperator, false);
    answer = picked;
    const chosen = await callCore(core, 'explorer.files.chooseFolder', {});
    assert.deepEqual(chosen, {
      folder: fs.realpathSync(picked),
      chosenByOperator: true,
      canChooseFolder: true,
    });
    const res = await callCore(core, 'explorer.export', {
      connectionId: 'local',
      format: 'json',
      file: 'run.json',
    });
    assert.equal(res.file, 'run.json');
    assert.ok(fs.existsSync(path.join(picked, 'run.json')), 'written into the chosen folder');
    const outcome = await core.dispatch(
      'explorer.export',
      { connectionId: 'local', format: 'json', file: '../run.json' },
      { transport: 'internal', actor: 'test' },
    );
    assert.ok(!outcome.ok && outcome.error.code === 'BAD_REQUEST', 'still names only');
    answer = path.join(picked, 'does-not-exist');
    const gone = await core.dispatch(
      'explorer.files.chooseFolder',
      {},
      { transport: 'internal', actor: 'test' },
    );
    assert.ok(!gone.ok && gone.error.code === 'BAD_REQUEST');
  } finally {
    await core.close();
  }
});
