import { makePreview } from '../preview';
import { matchLevels, prefixMayMatch } from '../topic-match';
import { displayTopicOf, newNode, pathLevels, type TreeNode } from './tree-node';

export interface TreeIngest {
  topic: string;
  payload: Buffer;
  retain: boolean;
  time: number;
}

/** A topic known from stored history, e.g. from before a restart. */
export interface SeededTopic {
  topic: string;
  messages: number;
  lastTime: number;
  lastSize: number;
  preview: { text: string; kind: 'text' | 'hex' };
  retained: boolean;
}

export interface TopicTreeOptions {
  /** Distinct topics kept; messages on further new topics are only counted. */
  maxTopics?: number;
}

/**
 * Aggregates messages of one connection into a topic tree: counts, rates, last-value previews.
 * Changed nodes are collected in `dirty` for the view layer to turn into batched deltas.
 */
export class TopicTree {
  readonly root: TreeNode = newNode('', '', null);
  /** Nodes changed since the last `takeDirty`. */
  private dirty = new Set<TreeNode>();
  /** Nodes with a non-zero rate or window, revisited by `tickRates`. */
  private readonly active = new Set<TreeNode>();
  private lastRateTick = Date.now();
  private readonly maxTopics: number;
  overflowMessages = 0;
  totalRate = 0;

  constructor(options: TopicTreeOptions = {}) {
    this.maxTopics = options.maxTopics ?? 1_000_000;
  }

  get topics(): number {
    return this.root.subtreeTopics;
  }

  get messages(): number {
    return this.root.subtreeMessages + this.overflowMessages;
  }

  ingest(msg: TreeIngest): void {
    const levels = pathLevels(msg.topic);
    if (levels.length === 0) return;
    let node = this.root;
    const full = this.root.subtreeTopics >= this.maxTopics;
    for (const level of levels) {
      let child = node.children?.get(level);
      if (!child) {
        if (full) {
          this.overflowMessages++;
          return;
        }
        child = this.addChild(node, level);
      }
      node = child;
    }
    const isNewTopic = node.messages === 0;
    node.messages++;
    node.fromHistory = false;
    node.lastTime = msg.time;
    node.lastSize = msg.payload.length;
    const preview = makePreview(msg.payload);
    node.preview = preview.text;
    node.previewHex = preview.kind === 'hex';
    if (msg.retain) node.retained = msg.payload.length > 0;
    node.ownWindow++;
    for (let n: TreeNode | null = node; n; n = n.parent) {
      n.subtreeMessages++;
      if (isNewTopic) n.subtreeTopics++;
      n.window++;
      this.active.add(n);
      if (n !== this.root) this.dirty.add(n);
    }
  }

  /**
   * Adds a topic from stored history: its count adds to live ones, but the last value of live
   * traffic (newer by construction) is kept, and no rate is implied. Returns false when the tree is full.
   */
  seed(entry: SeededTopic): boolean {
    const levels = pathLevels(entry.topic);
    if (levels.length === 0 || entry.messages <= 0) return true;
    let node = this.root;
    for (const level of levels) {
      let child = node.children?.get(level);
      if (!child) {
        if (this.root.subtreeTopics >= this.maxTopics) return false;
        child = this.addChild(node, level);
      }
      node = child;
    }
    const isNewTopic = node.messages === 0;
    node.messages += entry.messages;
    if (isNewTopic) {
      node.lastTime = entry.lastTime;
      node.lastSize = entry.lastSize;
      node.preview = entry.preview.text;
      node.previewHex = entry.preview.kind === 'hex';
      node.retained = entry.retained;
      node.fromHistory = true;
    }
    for (let n: TreeNode | null = node; n; n = n.parent) {
      n.subtreeMessages += entry.messages;
      if (isNewTopic) n.subtreeTopics++;
      if (n !== this.root) this.dirty.add(n);
    }
    return true;
  }

  /** Marks the retained flag without counting a message (e.g. after clearing a retained topic). */
  setRetained(topic: string, retained: boolean): void {
    const node = this.find(topic);
    if (node && node.retained !== retained) {
      node.retained = retained;
      this.dirty.add(node);
    }
  }

  /**
   * Recomputes per-node rates (own topic, and subtree) over the time since the last call; call about
   * once a second. Only nodes that saw traffic in the last two windows are visited.
   */
  tickRates(now = Date.now()): void {
    const seconds = Math.max(0.001, (now - this.lastRateTick) / 1000);
    this.lastRateTick = now;
    for (const node of this.active) {
      const rate = perSecond(node.window, seconds);
      const ownRate = perSecond(node.ownWindow, seconds);
      node.window = 0;
      node.ownWindow = 0;
      if (rate !== node.rate || ownRate !== node.ownRate) {
        node.rate = rate;
        node.ownRate = ownRate;
        if (node !== this.root) this.dirty.add(node);
      }
      // The own window is part of the subtree window, so a zero rate means both are zero.
      if (rate === 0) this.active.delete(node);
    }
    this.totalRate = this.root.rate;
  }

  takeDirty(): Set<TreeNode> {
    const taken = this.dirty;
    this.dirty = new Set();
    return taken;
  }

  find(path: string): TreeNode | undefined {
    let node: TreeNode | undefined = this.root;
    for (const level of pathLevels(path)) {
      node = node.children?.get(level);
      if (!node) return undefined;
    }
    return node;
  }

  /** A page of children sorted by name, pruned to branches that may match `filterLevels`. */
  children(
    node: TreeNode,
    offset: number,
    limit: number,
    filterLevels?: string[],
  ): { page: TreeNode[]; total: number } {
    if (!node.children) return { page: [], total: 0 };
    if (!node.sortedNames) node.sortedNames = [...node.children.keys()].sort();
    const children = node.children;
    const byName = (name: string) => children.get(name) as TreeNode;
    const keep = filterLevels ? childFilter(node, filterLevels) : 'all';
    const names =
      keep === 'all'
        ? node.sortedNames
        : keep
          ? node.sortedNames.filter((name) => keep(name, byName(name).children === null))
          : [];
    return { page: names.slice(offset, offset + limit).map(byName), total: names.length };
  }

  /** Walks every topic (node with messages), stopping when `visit` returns false. */
  walkTopics(visit: (node: TreeNode) => boolean): void {
    const stack: TreeNode[] = [this.root];
    while (stack.length > 0) {
      const node = stack.pop() as TreeNode;
      if (node.messages > 0 && !visit(node)) return;
      if (node.children) for (const child of node.children.values()) stack.push(child);
    }
  }

  clear(): void {
    this.root.children = null;
    this.root.sortedNames = null;
    this.root.subtreeMessages = 0;
    this.root.subtreeTopics = 0;
    this.root.window = 0;
    this.root.rate = 0;
    this.totalRate = 0;
    this.overflowMessages = 0;
    this.dirty.clear();
    this.active.clear();
  }

  private addChild(parent: TreeNode, level: string): TreeNode {
    const path = parent.path === '' ? level : `${parent.path}/${level}`;
    let child: TreeNode;
    if (parent === this.root && level.startsWith('$a/')) {
      child = newNode(level.slice(3), path, parent, level.slice(3));
      child.isAccountGroup = true;
    } else {
      child = newNode(level, path, parent, parent.account);
    }
    if (!parent.children) parent.children = new Map();
    parent.children.set(level, child);
    parent.sortedNames = null;
    return child;
  }
}

/** Messages per second, rounded to one decimal. */
function perSecond(messages: number, seconds: number): number {
  return Math.round((messages / seconds) * 10) / 10;
}

/** Levels used for filter matching: what the node's account sees. */
export function matchLevelsOf(node: TreeNode): string[] {
  const display = displayTopicOf(node);
  return display === '' ? [] : display.split('/');
}

/**
 * Which children of `parent` lead to (or are) topics matching the filter, with the parent's part
 * worked out once: 'all', none (undefined), or a test on the child's name and whether it is a leaf.
 */
function childFilter(
  parent: TreeNode,
  filterLevels: string[],
): ((name: string, isLeaf: boolean) => boolean) | 'all' | undefined {
  const root = parent.parent === null;
  // Account groups sit at the root; their topics are matched as the account sees them.
  const levels = root ? [] : matchLevelsOf(parent);
  if (!prefixMayMatch(filterLevels, levels)) return undefined;
  if (levels.some((_, i) => filterLevels[i] === '#')) return 'all';
  const f = filterLevels[levels.length];
  if (f === undefined) return undefined;
  // A leaf child is only its own topic: it must match, not merely be a prefix.
  const next = filterLevels[levels.length + 1];
  const leafMatches =
    f === '#' || next === undefined || (next === '#' && levels.length + 2 === filterLevels.length);
  const nameOk = (name: string) => f === '#' || f === '+' || name === f;
  if (root) return (name, isLeaf) => name.startsWith('$a/') || (nameOk(name) && (leafMatches || !isLeaf));
  if (leafMatches && (f === '#' || f === '+')) return 'all';
  return (name, isLeaf) => nameOk(name) && (leafMatches || !isLeaf);
}

export function nodeMayMatch(node: TreeNode, filterLevels: string[]): boolean {
  return prefixMayMatch(filterLevels, matchLevelsOf(node));
}

export function topicNodeMatches(node: TreeNode, filterLevels: string[]): boolean {
  return matchLevels(filterLevels, matchLevelsOf(node));
}
