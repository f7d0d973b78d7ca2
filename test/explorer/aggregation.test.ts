import assert from 'node:assert/strict';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { ExplorerTreeDelta, ExplorerTreeNode } from '../../preload/contract/explorer';
import { TopicTree } from '../../main/explorer/tree/topic-tree';
import { MAX_DELTA_NODES, ViewManager } from '../../main/explorer/tree/views';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapMb(): number {
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

const TOPICS = 100_000;
const topicOf = (i: number) => `s${i % 50}/d${Math.floor(i / 50) % 200}/t${i}`;

test('100,000 topics x 3 messages: deltas are batched per tick, bounded, and only for visible nodes', () => {
  const before = heapMb();
  const tree = new TopicTree();
  const deltas: ExplorerTreeDelta[] = [];
  const views = new ViewManager({
    tree: () => tree,
    isPinned: (_c, p) => p === 's7/d3/t157',
    emit: (d) => deltas.push(d),
    watchingChanged: () => {},
  });
  const viewId = views.open('c');
  views.expand(viewId, 's1', true);
  views.expand(viewId, 's1/d0', true);

  const payload = Buffer.from(
    '{"temperature": 21.5, "unit": "C", "note": "a reasonably long JSON value to preview"}',
  );
  const perTick = 750; // 5,000 msg/s in 150 ms ticks
  let ticks = 0;
  const started = process.hrtime.bigint();
  let time = 1_700_000_000_000;
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < TOPICS; i++) {
      tree.ingest({ topic: topicOf(i), payload, retain: round === 0 && i % 1000 === 0, time: time++ });
      if ((round * TOPICS + i + 1) % perTick === 0) {
        views.tick(['c'], Date.now());
        ticks++;
      }
    }
  }
  const ingestMs = Number(process.hrtime.bigint() - started) / 1e6;
  // Drain whatever is still pending.
  for (let i = 0; i < 20; i++) {
    views.tick(['c'], Date.now());
    ticks++;
  }
  const after = heapMb();

  assert.equal(tree.topics, TOPICS);
  assert.equal(tree.messages, 3 * TOPICS);
  assert.ok(deltas.length <= ticks, `${deltas.length} deltas for ${ticks} ticks`);
  const sizes = deltas.map((d) => JSON.stringify(d).length);
  const maxNodes = Math.max(...deltas.map((d) => d.nodes.length));
  const maxBytes = Math.max(...sizes);
  assert.ok(maxNodes <= MAX_DELTA_NODES);
  assert.ok(maxBytes < 400_000, `max delta ${maxBytes} bytes`);

  // Every delta node is top level, a child of an expanded node, or pinned.
  const expanded = new Set(['', 's1', 's1/d0']);
  for (const d of deltas) {
    for (const n of d.nodes)
      assert.ok(expanded.has(n.parent) || n.path === 's7/d3/t157', `unexpected ${n.path}`);
  }
  // Seq numbers are consecutive (no gaps within one view).
  for (const [i, d] of deltas.entries()) assert.equal(d.seq, i + 1);

  // A UI that applies the deltas ends up with the same top-level and expanded rows as the tree.
  const ui = new Map<string, ExplorerTreeNode>();
  for (const d of deltas) for (const n of d.nodes) ui.set(n.path, n);
  const s1 = tree.find('s1');
  assert.ok(s1);
  assert.equal(ui.get('s1')?.subtreeMessages, s1.subtreeMessages);
  assert.equal(ui.get('s1')?.subtreeTopics, TOPICS / 50);
  assert.equal(ui.get('s1/d0')?.childCount, 10);
  assert.equal(ui.get('s1/d0/t1')?.messages, 3);
  assert.equal(ui.get('s1/d0/t1')?.previewKind, 'text');
  assert.equal(ui.get('s7/d3/t157')?.messages, 3);
  assert.equal(ui.has('s2/d0'), false, 'children of collapsed nodes are not sent');
  assert.equal(tree.find('s0/d0/t0')?.retained, true);

  const grewMb = after - before;
  console.log(
    `aggregation: ${3 * TOPICS} msgs in ${ingestMs.toFixed(0)} ms (${Math.round((3 * TOPICS) / (ingestMs / 1000))} msg/s incl. ticks), ` +
      `${deltas.length} deltas / ${ticks} ticks, max ${maxNodes} nodes / ${maxBytes} B, heap +${grewMb.toFixed(1)} MB`,
  );
  assert.ok(grewMb < 250, `tree of 100k topics uses ${grewMb.toFixed(1)} MB`);

  // Memory stays flat once the topic set is known.
  const steady = heapMb();
  for (let i = 0; i < 300_000; i++) {
    tree.ingest({ topic: topicOf((i * 7919) % TOPICS), payload, retain: false, time: time++ });
    if (i % perTick === 0) views.tick(['c'], Date.now());
  }
  tree.tickRates(Date.now() + 1000);
  views.tick(['c'], Date.now());
  const steadyGrowth = heapMb() - steady;
  console.log(
    `aggregation: +300k msgs on known topics, heap ${steadyGrowth >= 0 ? '+' : ''}${steadyGrowth.toFixed(1)} MB`,
  );
  assert.ok(steadyGrowth < 20, `heap grew ${steadyGrowth.toFixed(1)} MB on known topics`);
  views.close(viewId);
});

test('paging children sorted by name, filter pruning, pause and resync', () => {
  const tree = new TopicTree();
  const deltas: ExplorerTreeDelta[] = [];
  const views = new ViewManager({
    tree: () => tree,
    isPinned: () => false,
    emit: (d) => deltas.push(d),
    watchingChanged: () => {},
  });
  for (const t of ['b/x', 'a/y', 'c/z/1', '$a/acme/b/x', '$a/acme/sensors/t']) {
    tree.ingest({ topic: t, payload: Buffer.from('1'), retain: false, time: 1 });
  }
  const root = tree.root;
  assert.deepEqual(
    tree.children(root, 0, 10).page.map((n) => n.path),
    ['$a/acme', 'a', 'b', 'c'],
  );
  assert.equal(tree.find('$a/acme')?.isAccountGroup, true);
  assert.equal(tree.find('$a/acme/b/x')?.account, 'acme');
  assert.deepEqual(
    tree.children(root, 1, 2).page.map((n) => n.name),
    ['a', 'b'],
  );
  // Filters match what each account sees; account groups stay visible.
  assert.deepEqual(
    tree.children(root, 0, 10, ['b', '#']).page.map((n) => n.path),
    ['$a/acme', 'b'],
  );
  assert.deepEqual(
    tree.children(tree.find('$a/acme') as never, 0, 10, ['b', '#']).page.map((n) => n.path),
    ['$a/acme/b'],
  );

  for (const t of ['a/b/c', 'a/x/c', 'a/x/d/e'])
    tree.ingest({ topic: t, payload: Buffer.from('1'), retain: false, time: 1 });
  const names = (path: string, filter: string) =>
    tree.children(tree.find(path) as never, 0, 10, filter.split('/')).page.map((n) => n.name);
  assert.deepEqual(names('a', 'a/+/c'), ['b', 'x']);
  assert.deepEqual(names('a', 'a/b/#'), ['b']);
  assert.deepEqual(names('a/x', 'a/#'), ['c', 'd']);
  assert.deepEqual(names('a/x', '+/+/c'), ['c']);
  assert.deepEqual(names('a', 'a'), []);
  assert.deepEqual(names('a', 'b/#'), []);

  const viewId = views.open('c');
  views.tick(['c']);
  assert.equal(deltas.length, 1);
  assert.deepEqual(deltas[0]?.nodes.map((n) => n.path).sort(), ['$a/acme', 'a', 'b', 'c']);
  views.update(viewId, { paused: true });
  tree.ingest({ topic: 'a/y', payload: Buffer.from('2'), retain: false, time: 2 });
  views.tick(['c']);
  assert.equal(deltas.length, 1, 'no deltas while paused');
  views.update(viewId, { paused: false });
  views.tick(['c']);
  assert.equal(deltas.length, 2);
  assert.equal(deltas[1]?.resync, true);
  tree.ingest({ topic: 'a/y', payload: Buffer.from('3'), retain: false, time: 3 });
  views.tick(['c']);
  assert.equal(deltas[2]?.nodes[0]?.path, 'a');
  assert.equal(deltas[2]?.nodes[0]?.subtreeMessages, 6);

  // A node with many changed children: deltas are capped and the rest follows in later ticks.
  for (let i = 0; i < 1800; i++)
    tree.ingest({ topic: `flat/${i}`, payload: Buffer.from('x'), retain: false, time: 4 });
  views.expand(viewId, 'flat', true);
  for (let i = 0; i < 1800; i++)
    tree.ingest({ topic: `flat/${i}`, payload: Buffer.from('y'), retain: false, time: 5 });
  const start = deltas.length;
  for (let i = 0; i < 6; i++) views.tick(['c']);
  const sizes = deltas.slice(start).map((d) => d.nodes.length);
  assert.deepEqual(sizes, [500, 500, 500, 301]);
  views.close(viewId);
});

test('views that are not touched expire and stop watching', () => {
  const tree = new TopicTree();
  const watching: boolean[] = [];
  const views = new ViewManager(
    { tree: () => tree, isPinned: () => false, emit: () => {}, watchingChanged: (_c, w) => watching.push(w) },
    1000,
  );
  const a = views.open('c');
  const b = views.open('c');
  views.tick(['c'], Date.now() + 500);
  assert.ok(views.get(a));
  views.tick(['c'], Date.now() + 1500);
  assert.equal(views.get(a), undefined);
  assert.equal(views.get(b), undefined);
  assert.deepEqual(watching, [true, false]);
});
