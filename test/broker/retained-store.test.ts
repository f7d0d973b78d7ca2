import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMessage } from '../../main/broker/message';
import { RetainedStore } from '../../main/broker/retained-store';
import { topicMatches } from '../../main/broker/topics';

const LEVELS = ['a', 'b', '$SYS', '$x', '', 'acct1', 'dev'];

function randomTopic(rand: () => number): string {
  const n = 1 + Math.floor(rand() * 4);
  return Array.from({ length: n }, () => LEVELS[Math.floor(rand() * LEVELS.length)]).join('/');
}

function randomFilter(rand: () => number): string {
  const n = 1 + Math.floor(rand() * 4);
  const levels = Array.from({ length: n }, () => {
    const r = rand();
    return r < 0.25 ? '+' : LEVELS[Math.floor(rand() * LEVELS.length)]!;
  });
  if (rand() < 0.35) levels[levels.length - 1] = '#';
  return levels.join('/');
}

/** Small deterministic PRNG so a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const msg = (topic: string, expiresAt = 0) => {
  const m = createMessage(topic, Buffer.from(topic), 0, true, undefined, 0, null);
  m.expiresAt = expiresAt;
  return m;
};

test('wildcard matches over the level tree equal a full scan with topicMatches ($ topics, empty levels)', () => {
  const rand = prng(20261122);
  const store = new RetainedStore();
  const topics = new Set<string>();
  for (let i = 0; i < 400; i++) {
    const t = randomTopic(rand);
    topics.add(t);
    store.set(msg(t), i);
  }
  // Delete some, so pruned branches are exercised too.
  for (const t of [...topics].filter(() => rand() < 0.3)) {
    assert.equal(store.delete(t), true);
    topics.delete(t);
  }
  assert.equal(store.size, topics.size);
  for (let i = 0; i < 2000; i++) {
    const filter = randomFilter(rand);
    const expected = [...topics].filter((t) => topicMatches(filter, t)).sort();
    const actual = store
      .match(filter, 0, () => {})
      .map((e) => e.message.topic)
      .sort();
    assert.deepEqual(actual, expected, `filter ${filter}`);
  }
});

test('deleting every topic leaves nothing behind; expired entries are dropped when matched', () => {
  const store = new RetainedStore();
  for (const t of ['a/b/c', 'a/b', 'a', 'x/y']) store.set(msg(t), 0);
  assert.equal(store.delete('a/b/c'), true);
  assert.equal(store.delete('a/b/c'), false, 'a second delete reports nothing removed');
  assert.deepEqual(
    store
      .match('a/#', 0, () => {})
      .map((e) => e.message.topic)
      .sort(),
    ['a', 'a/b'],
  );
  for (const t of ['a/b', 'a', 'x/y']) store.delete(t);
  assert.equal(store.size, 0);
  assert.deepEqual(
    store.match('#', 0, () => {}),
    [],
  );

  store.set(msg('e/old', 1000), 0);
  store.set(msg('e/new', 5000), 0);
  const expired: string[] = [];
  const live = store.match('e/+', 2000, (t) => expired.push(t));
  assert.deepEqual(
    live.map((e) => e.message.topic),
    ['e/new'],
  );
  assert.deepEqual(expired, ['e/old']);
  assert.equal(store.size, 1);
});

test('a narrow wildcard among 100,000 retained topics visits only its branch', () => {
  const store = new RetainedStore();
  for (let d = 0; d < 10_000; d++) {
    for (let s = 0; s < 10; s++) store.set(msg(`devices/${d}/sensor${s}`), 0);
  }
  const matched = store.match('devices/4242/#', 0, () => {});
  assert.equal(matched.length, 10);
  assert.ok(matched.every((e) => e.message.topic.startsWith('devices/4242/')));
  assert.equal(store.match('devices/+/sensor3', 0, () => {}).length, 10_000);
});
