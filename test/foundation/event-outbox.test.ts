import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type EventBatch, EventOutbox } from '../../main/api';

const logEntry = (seq: number) => ({ seq, time: seq, level: 'info' as const, msg: `line ${seq}` });
const stats = (rss: number) => ({
  uptimeSeconds: 1,
  memory: { rss, heapUsed: 1, heapTotal: 1, external: 1 },
  databaseSizeBytes: 1,
  eventsDropped: 0,
});

test('a stuck client costs bounded memory: stream events drop oldest and are counted, latest events coalesce', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const sent: EventBatch[] = [];
  let writable = false;
  const outbox = new EventOutbox({
    send: (b) => sent.push(b),
    writable: () => writable,
    maxQueuedStreamEvents: 100,
    flushIntervalMs: 5,
  });
  outbox.subscribe(['system.log', 'system.stats']);
  for (let i = 1; i <= 10_000; i++) {
    outbox.push('system.log', logEntry(i));
    outbox.push('system.stats', stats(i));
  }
  t.mock.timers.tick(30);
  assert.equal(sent.length, 0, 'nothing is sent while the transport is backed up');
  writable = true;
  t.mock.timers.tick(5);
  assert.equal(sent.length, 1, 'one batch once writable');
  const batch = sent[0]!;
  const logs = batch.events.filter(([n]) => n === 'system.log');
  const statEvents = batch.events.filter(([n]) => n === 'system.stats');
  assert.equal(logs.length, 100);
  assert.equal((logs[0]![1] as { seq: number }).seq, 9901, 'the newest entries are kept');
  assert.equal(statEvents.length, 1);
  assert.equal(
    (statEvents[0]![1] as ReturnType<typeof stats>).memory.rss,
    10_000,
    'only the latest stats value',
  );
  assert.equal(batch.dropped, 9900);
  outbox.close();
});

test('events nobody subscribed to are not queued', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const sent: EventBatch[] = [];
  const outbox = new EventOutbox({ send: (b) => sent.push(b), writable: () => true, flushIntervalMs: 1 });
  outbox.push('system.log', logEntry(1));
  t.mock.timers.tick(20);
  assert.equal(sent.length, 0);
  outbox.close();
});
