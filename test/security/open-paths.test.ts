import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tempDir } from '../helpers/temp-dir';
import { type ExplorerCore, startExplorerCore } from './explorer-core';

const SECRET = 'db_password=hunter2-SECRET-FIRST-LINE';
const header = (connectionId: string) =>
  JSON.stringify({
    type: 'header',
    format: 'fieldbench-capture',
    version: 1,
    connectionId,
    startedAt: 1,
    redactPayloads: false,
    redactCredentials: true,
  });
const messageLine = (topic: string, text: string) =>
  JSON.stringify({
    type: 'message',
    time: 2,
    topic,
    qos: 0,
    retain: false,
    size: text.length,
    payload: Buffer.from(text).toString('base64'),
  });

describe('opened files are read only from the exports folder, and errors never quote them', () => {
  let f: ExplorerCore;
  let outside: string;
  before(async () => {
    f = await startExplorerCore();
    outside = tempDir('fb-outside-');
  });
  after(() => f.close());

  test('a valid capture outside the exports folder cannot be opened or replayed by its path', async () => {
    const capture = path.join(outside, 'elsewhere.jsonl');
    fs.writeFileSync(capture, `${header('local')}\n${messageLine('lab/x', 'hello')}\n`);
    const opened = await f.refusal('explorer.capture.open', { file: capture });
    assert.equal(opened.code, 'BAD_REQUEST');
    assert.match(opened.message, /names a folder/);
    const replay = await f.refusal('explorer.replay.start', {
      file: capture,
      connectionId: 'local',
      speed: 0,
    });
    assert.equal(replay.code, 'BAD_REQUEST');
  });

  test('whether some file on the host exists cannot be told apart: every path gets the same refusal', async () => {
    const answers = new Set<string>();
    for (const file of [
      '/etc/passwd',
      '/etc/no-such-file-here',
      path.join(outside, 'missing.jsonl'),
      '../fieldbench.db',
    ]) {
      const error = await f.refusal('explorer.capture.open', { file });
      answers.add(`${error.code} ${error.message.replace(/"[^"]*"/, '"…"')}`);
      assert.ok(!error.message.includes('root:'), 'no file content in the error');
    }
    assert.equal(answers.size, 1, `one answer for all: ${[...answers].join(' | ')}`);
  });

  test('a non-capture file in the exports folder is refused without quoting its first line', async () => {
    fs.mkdirSync(f.exportsDir, { recursive: true });
    fs.writeFileSync(path.join(f.exportsDir, 'notes.jsonl'), `${SECRET}\nsecond line\n`);
    fs.writeFileSync(path.join(f.exportsDir, 'json-first.jsonl'), `{"secret":"${SECRET}"}\n`);
    for (const file of ['notes.jsonl', 'json-first.jsonl']) {
      const error = await f.refusal('explorer.capture.open', { file });
      assert.equal(error.code, 'BAD_REQUEST');
      assert.match(error.message, /is not a Fieldbench capture/);
      assert.ok(!error.message.includes('hunter2') && !error.message.includes('SECRET'), error.message);
      const replay = await f.refusal('explorer.replay.start', { file, connectionId: 'local', speed: 0 });
      assert.ok(!replay.message.includes('hunter2'), replay.message);
    }
    const missing = await f.refusal('explorer.capture.open', { file: 'missing.jsonl' });
    assert.equal(missing.code, 'NOT_FOUND');
  });

  test('a link in the exports folder to a file elsewhere is not followed', async () => {
    const target = path.join(outside, 'target.jsonl');
    fs.writeFileSync(target, `${header('local')}\n${messageLine('lab/secret', SECRET)}\n`);
    fs.symlinkSync(target, path.join(f.exportsDir, 'linked.jsonl'));
    const error = await f.refusal('explorer.capture.open', { file: 'linked.jsonl' });
    assert.equal(error.code, 'BAD_REQUEST');
    assert.match(error.message, /is a link/);
    const read = await f.refusal('explorer.files.read', { name: 'linked.jsonl' });
    assert.equal(read.code, 'BAD_REQUEST');
    const { files } = await f.call('explorer.files.list', {});
    assert.ok(!files.some((x) => x.name === 'linked.jsonl'), 'links are not listed');
  });

  test('a capture made by Fieldbench is listed, opened, replayed and downloaded by name', async () => {
    const started = await f.call('explorer.capture.start', { connectionId: 'local', file: 'session.jsonl' });
    assert.equal(started.file, 'session.jsonl');
    await f.publishStored('lab/captured', 'payload-1');
    const stopped = await f.call('explorer.capture.stop', { captureId: started.captureId });
    assert.ok(stopped.messages >= 1);
    const opened = await f.call('explorer.capture.open', { file: 'session.jsonl' });
    assert.ok(opened.messages.some((m) => m.topic === 'lab/captured'));
    const listing = await f.call('explorer.files.list', {});
    assert.equal(listing.folder, f.exportsDir);
    assert.equal(listing.canChooseFolder, false, 'headless cannot open a folder dialog');
    const entry = listing.files.find((x) => x.name === 'session.jsonl');
    assert.ok(entry, 'the capture is listed');
    const onDisk = fs.readFileSync(path.join(f.exportsDir, 'session.jsonl'));
    const chunks: Buffer[] = [];
    for (let offset = 0; offset < entry.size; ) {
      const part = await f.call('explorer.files.read', { name: 'session.jsonl', offset, length: 100 });
      assert.equal(part.size, entry.size);
      const bytes = Buffer.from(part.data, 'base64');
      assert.ok(bytes.length > 0 && bytes.length <= 100);
      chunks.push(bytes);
      offset += bytes.length;
    }
    assert.deepEqual(Buffer.concat(chunks), onDisk, 'the download is the file, byte for byte');
    const chooser = await f.refusal('explorer.files.chooseFolder', {});
    assert.equal(chooser.code, 'UNAVAILABLE');
  });

  test('the listing is bounded to the 1,000 newest files', async () => {
    const g = await startExplorerCore();
    try {
      fs.mkdirSync(g.exportsDir, { recursive: true });
      for (let i = 0; i < 1005; i++) {
        const file = path.join(g.exportsDir, `bulk-${String(i).padStart(4, '0')}.csv`);
        fs.writeFileSync(file, 'x');
        fs.utimesSync(file, 1_000_000 + i, 1_000_000 + i);
      }
      const { files } = await g.call('explorer.files.list', {});
      assert.equal(files.length, 1000);
      assert.equal(files[0]?.name, 'bulk-1004.csv', 'newest first');
      assert.ok(!files.some((f) => f.name === 'bulk-0004.csv'), 'the oldest fall off');
    } finally {
      await g.close();
    }
  });
});
