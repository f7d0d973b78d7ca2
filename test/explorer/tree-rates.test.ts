import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ExplorerTreeDelta } from '../../preload/contract/explorer';
import { treeNodeSchema } from '../../preload/contract/explorer';
import { toNodeDto } from '../../main/explorer/tree/node-dto';
import { TopicTree } from '../../main/explorer/tree/topic-tree';
import type { TreeNode } from '../../main/explorer/tree/tree-node';
import { ViewManager } from '../../main/explorer/tree/views';

const T0 = 1_700_000_000_000;
const payload = Buffer.from('1');

function publish(tree: TopicTree, topic: string, count: number, time = T0): void {
  for (let i = 0; i < count; i++) tree.ingest({ topic, payload, retain: false, time });
}

function rates(tree: TopicTree, path: string): { own: number; subtree: number } {
  const node = tree.find(path);
  assert.ok(node, `no node ${path}`);
  return { own: node.ownRate, subtree: node.rate };
}

/** Nodes that `tickRates` revisits; private, read here to prove the work stays proportional to traffic. */
function activeNodes(tree: TopicTree): Set<TreeNode> {
  return (tree as unknown as { active: Set<TreeNode> }).active;
}

test('each node has its own-topic rate and its subtree rate, over the injected clock', () => {
  const tree = new TopicTree();
  tree.tickRates(T0);
  publish(tree, 'plant/line1', 12);
  publish(tree, 'plant/line1/temp', 30);
  publish(tree, 'plant/line2/x', 5);
  publish(tree, '$a/acme/plant/line1', 4);
  tree.tickRates(T0 + 1000);

  assert.deepEqual(rates(tree, 'plant/line1'), { own: 12, subtree: 42 });
  assert.deepEqual(rates(tree, 'plant/line1/temp'), { own: 30, subtree: 30 });
  assert.deepEqual(rates(tree, 'plant'), { own: 0, subtree: 47 });
  assert.deepEqual(rates(tree, 'plant/line2'), { own: 0, subtree: 5 });
  assert.deepEqual(rates(tree, '$a/acme'), { own: 0, subtree: 4 });
  assert.deepEqual(rates(tree, '$a/acme/plant/line1'), { own: 4, subtree: 4 });
  assert.equal(tree.totalRate, 51);

  // A two-second window halves the per-second figures; rounding keeps one decimal.
  publish(tree, 'plant/line1', 3);
  publish(tree, 'plant/line1/temp', 10);
  tree.tickRates(T0 + 3000);
  assert.deepEqual(rates(tree, 'plant/line1'), { own: 1.5, subtree: 6.5 });
  assert.deepEqual(rates(tree, 'plant'), { own: 0, subtree: 6.5 });
  assert.deepEqual(rates(tree, 'plant/line2'), { own: 0, subtree: 0 });
  assert.equal(tree.totalRate, 6.5);

  // Traffic stops: both rates fall to zero.
  tree.tickRates(T0 + 4000);
  assert.deepEqual(rates(tree, 'plant/line1'), { own: 0, subtree: 0 });
  assert.equal(tree.totalRate, 0);
});

test('the delta of a view carries both rates, and a rate change alone makes a node dirty', () => {
  const tree = new TopicTree();
  const deltas: ExplorerTreeDelta[] = [];
  const views = new ViewManager({
    tree: () => tree,
    isPinned: () => false,
    emit: (d) => deltas.push(d),
    watchingChanged: () => {},
  });
  const viewId = views.open('c');
  views.expand(viewId, 'plant', true);
  tree.tickRates(T0);
  publish(tree, 'plant', 2);
  publish(tree, 'plant/line1', 8);
  views.tick(['c'], T0 + 150);
  const first = deltas.at(-1)?.nodes.find((n) => n.path === 'plant');
  assert.equal(first?.ownRate, 0, 'no rate before the first rate tick');

  tree.tickRates(T0 + 1000);
  views.tick(['c'], T0 + 1150);
  const byPath = new Map(deltas.at(-1)?.nodes.map((n) => [n.path, n]));
  assert.equal(byPath.get('plant')?.ownRate, 2);
  assert.equal(byPath.get('plant')?.rate, 10);
  assert.equal(byPath.get('plant/line1')?.ownRate, 8);
  assert.equal(byPath.get('plant/line1')?.rate, 8);
  assert.equal(deltas.at(-1)?.totals.rate, 10);
  // What crosses the API satisfies the contract.
  for (const n of deltas.at(-1)?.nodes ?? []) treeNodeSchema.parse(n);

  // Only the rate changed (to zero): the nodes are sent again.
  tree.tickRates(T0 + 2000);
  views.tick(['c'], T0 + 2150);
  const zeroed = new Map(deltas.at(-1)?.nodes.map((n) => [n.path, n]));
  assert.equal(zeroed.get('plant')?.ownRate, 0);
  assert.equal(zeroed.get('plant')?.rate, 0);
  assert.equal(zeroed.get('plant/line1')?.ownRate, 0);
  views.close(viewId);
});

test('history-seeded topics imply no rate, and clearing the tree resets the totals', () => {
  const tree = new TopicTree();
  tree.tickRates(T0);
  tree.seed({
    topic: 'old/topic',
    messages: 500,
    lastTime: T0 - 60_000,
    lastSize: 1,
    preview: { text: '1', kind: 'text' },
    retained: false,
  });
  tree.tickRates(T0 + 1000);
  assert.deepEqual(rates(tree, 'old/topic'), { own: 0, subtree: 0 });
  assert.equal(toNodeDto(tree.find('old/topic') as TreeNode, false).ownRate, 0);

  publish(tree, 'old/topic', 7);
  tree.tickRates(T0 + 2000);
  assert.deepEqual(rates(tree, 'old/topic'), { own: 7, subtree: 7 });
  assert.equal(tree.totalRate, 7);
  tree.clear();
  assert.equal(tree.totalRate, 0);
  assert.equal(tree.find('old/topic'), undefined);
});

test('with 100,000 idle topics a rate tick revisits only the nodes that saw traffic', () => {
  const tree = new TopicTree();
  const topicOf = (i: number) => `s${i % 50}/d${Math.floor(i / 50) % 200}/t${i}`;
  tree.tickRates(T0);
  for (let i = 0; i < 100_000; i++) tree.ingest({ topic: topicOf(i), payload, retain: false, time: T0 });
  tree.tickRates(T0 + 1000);
  assert.equal(rates(tree, 's3').subtree, 2000);
  assert.equal(rates(tree, topicOf(3)).own, 1);
  tree.tickRates(T0 + 2000);
  tree.takeDirty();
  assert.equal(activeNodes(tree).size, 0, 'a quiet tree has nothing to revisit');

  // One busy topic: the tick touches its path (three levels and the root), not the 100,000 others.
  publish(tree, topicOf(4321), 25);
  assert.equal(activeNodes(tree).size, 4);
  const started = performance.now();
  tree.tickRates(T0 + 3000);
  const tickMs = performance.now() - started;
  const dirty = [...tree.takeDirty()].map((n) => n.path).sort();
  assert.deepEqual(dirty, ['s21', 's21/d86', topicOf(4321)].sort());
  assert.deepEqual(rates(tree, topicOf(4321)), { own: 25, subtree: 25 });
  assert.deepEqual(rates(tree, 's21/d86'), { own: 0, subtree: 25 });
  console.log(`tree-rates: tick over 100,000 topics with one busy topic took ${tickMs.toFixed(2)} ms`);
});
