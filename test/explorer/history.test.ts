import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createExplorer } from '../../main/explorer';
import { HistoryQueries } from '../../main/explorer/history/history-queries';
import { HistoryStore } from '../../main/explorer/history/history-store';
import { createFileKeyProtector } from '../../main/secrets';
import { openStore } from '../../main/store';
import { EventLog, silentLogger, viaContract } from './helpers';
import { tempDir } from '../helpers/temp-dir';

const msg = (topic: string, payload: Buffer | string, time = Date.now()) => ({
  connectionId: 'c1',
  topic,
  payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload),
  qos: 1 as const,
  retain: false,
  time,
});

test('history is written in batches, bounded per topic and in total bytes, and keeps big payloads whole up to the maximum', () => {
  const dir = tempDir();
  const store = openStore(dir);
  try {
    const history = new HistoryStore(store.db, silentLogger, {
      maxMessagesPerTopic: 100,
      maxTotalBytes: 300_000,
      maxPayloadBytes: 64 * 1024,
      flushIntervalMs: 60_000,
    });
    const queries = new HistoryQueries(store.db);
    for (let i = 0; i < 1000; i++) history.add(msg('a/b', `value ${i}`, 1000 + i));
    history.flush();
    const count = queries.count('c1', 'a/b');
    assert.ok(count >= 100 && count <= 110, `per-topic bound kept ${count}`);
    const newest = queries.page('c1', 'a/b', undefined, 1)[0];
    assert.equal(newest?.payload.toString(), 'value 999');

    // A payload above the maximum is kept truncated, flagged, with its real size.
    const big = Buffer.alloc(200_000, 7);
    history.add(msg('files/big', big));
    // One exactly at the maximum is kept whole.
    history.add(msg('files/edge', Buffer.alloc(64 * 1024, 1)));
    history.flush();
    const bigRow = queries.page('c1', 'files/big', undefined, 1)[0];
    assert.equal(bigRow?.truncated, 1);
    assert.equal(bigRow?.size, 200_000);
    assert.equal(bigRow?.payload.length, 64 * 1024);
    const edgeRow = queries.page('c1', 'files/edge', undefined, 1)[0];
    assert.equal(edgeRow?.truncated, 0);
    assert.equal(edgeRow?.payload.length, 64 * 1024);

    // Total bytes: flood with 10 KiB payloads on many topics; the oldest go first.
    for (let i = 0; i < 200; i++) history.add(msg(`flood/${i}`, Buffer.alloc(10_000, 3)));
    history.flush();
    assert.ok(history.storedBytes <= 300_000, `stored ${history.storedBytes} bytes`);
    const actual = store.db
      .prepare('SELECT SUM(length(payload)) FROM explorer_messages')
      .pluck()
      .get() as number;
    assert.equal(actual, history.storedBytes);
    assert.equal(queries.count('c1', 'a/b'), 0, 'oldest messages were pruned first');
    assert.equal(queries.count('c1', 'flood/199'), 1);
    const counts = store.db
      .prepare(
        `SELECT t.message_count AS n, (SELECT COUNT(*) FROM explorer_messages m WHERE m.topic_id = t.id) AS stored
         FROM explorer_topics t`,
      )
      .all() as { n: number; stored: number }[];
    for (const c of counts) assert.equal(c.n, c.stored, JSON.stringify(c));
    history.close();
  } finally {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('history survives closing and reopening the store; payload, series and export read it back', async () => {
  const dir = tempDir();
  const keys = createFileKeyProtector(dir);
  let store = openStore(dir);
  const log = new EventLog();
  let explorer = createExplorer({
    db: store.db,
    events: log.bus,
    keyProtector: keys,
    logger: silentLogger,
    dataDir: dir,
  });
  for (let i = 0; i < 50; i++) {
    explorer.service.history.add(
      msg('plant/line1/temp', JSON.stringify({ t: 20 + i, nested: { v: [i, i * 2] } }), 5000 + i),
    );
  }
  explorer.service.history.add(msg('$a/acme/meter/1', '42.5', 9000));
  await explorer.close();
  store.close();

  store = openStore(dir);
  explorer = createExplorer({
    db: store.db,
    events: log.bus,
    keyProtector: keys,
    logger: silentLogger,
    dataDir: dir,
  });
  const h = viaContract(explorer.handlers);
  const ctx = { transport: 'internal' as const, actor: 'test' };
  const page1 = await h['explorer.history'](
    { connectionId: 'c1', topic: 'plant/line1/temp', limit: 20 },
    ctx,
  );
  assert.equal(page1.messages.length, 20);
  assert.equal(page1.more, true);
  assert.equal(JSON.parse(Buffer.from(page1.messages[0]?.payload ?? '', 'base64').toString()).t, 69);
  const last = page1.messages[19];
  assert.ok(last);
  const page2 = await h['explorer.history'](
    { connectionId: 'c1', topic: 'plant/line1/temp', before: last.id, limit: 100 },
    ctx,
  );
  assert.equal(page2.messages.length, 30);
  assert.equal(page2.more, false);

  const acme = await h['explorer.history']({ connectionId: 'c1', topic: '$a/acme/meter/1', limit: 5 }, ctx);
  assert.equal(acme.messages[0]?.account, 'acme');
  assert.equal(acme.messages[0]?.displayTopic, 'meter/1');
  const full = await h['explorer.payload']({ id: acme.messages[0]?.id ?? 0 }, ctx);
  assert.equal(Buffer.from(full.payload, 'base64').toString(), '42.5');

  const series = await h['explorer.series'](
    { connectionId: 'c1', topic: 'plant/line1/temp', limit: 1000 },
    ctx,
  );
  assert.deepEqual(
    series.series.map((s) => s.field),
    ['$.t', '$.nested.v[0]', '$.nested.v[1]'],
  );
  assert.equal(series.times.length, 50);
  assert.equal(series.series[0]?.values[0], 20);
  assert.equal(series.series[2]?.values[49], 98);
  const numeric = await h['explorer.series'](
    { connectionId: 'c1', topic: '$a/acme/meter/1', fields: ['$'], limit: 10 },
    ctx,
  );
  assert.deepEqual(numeric.series[0]?.values, [42.5]);

  const csv = path.join(dir, 'exports', 'out.csv');
  const exported = await h['explorer.export'](
    { connectionId: 'c1', topic: 'plant/#', format: 'csv', file: 'out.csv', limit: 1000 },
    ctx,
  );
  assert.deepEqual(exported, { file: 'out.csv', count: 50 });
  const lines = fs.readFileSync(csv, 'utf8').trim().split('\n');
  assert.equal(lines.length, 51);
  assert.match(lines[1] ?? '', /plant\/line1\/temp,,1,0,.*,text,"\{""t"":20/);
  await assert.rejects(
    h['explorer.export']({ connectionId: 'c1', format: 'csv', file: 'out.csv' }, ctx),
    (err: Error & { code?: string }) => err.code === 'CONFLICT',
  );
  await assert.rejects(
    h['explorer.export']({ connectionId: 'c1', format: 'csv', file: '../escape.csv' }, ctx),
    (err: Error & { code?: string }) => err.code === 'BAD_REQUEST',
  );
  const all = await h['explorer.export']({ connectionId: 'c1', format: 'csv', file: 'plant.csv' }, ctx);
  assert.equal(all.count, 51);
  const json = path.join(dir, 'exports', 'out.json');
  await h['explorer.export'](
    { connectionId: 'c1', topic: 'meter/#', format: 'json', file: 'out.json', limit: 10 },
    ctx,
  );
  const records = JSON.parse(fs.readFileSync(json, 'utf8'));
  assert.equal(records.length, 1);
  assert.equal(records[0].account, 'acme');
  assert.equal(records[0].payload, '42.5');

  const found = await h['explorer.tree.find'](
    { connectionId: 'c1', search: '"t":33', searchHistory: true, limit: 10 },
    ctx,
  );
  assert.equal(found.truncated, false);
  assert.deepEqual(
    found.topics.map((t) => t.path),
    ['plant/line1/temp'],
  );
  await explorer.close();
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
