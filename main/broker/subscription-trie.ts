import { rootLevelIndex } from './topics';
import type { Session } from './session';
import type { MatchResult, MatchTarget, SharedGroup, Subscription } from './subscription';

class TrieNode {
  children: Map<string, TrieNode> | null = null;
  subs: Map<Session, Subscription> | null = null;
  groups: Map<string, SharedGroup> | null = null;

  constructor(
    readonly parent: TrieNode | null,
    readonly level: string,
  ) {}

  isEmpty(): boolean {
    return !this.children?.size && !this.subs?.size && !this.groups?.size;
  }
}

const EMPTY: MatchResult = { targets: [], groups: [] };
const DOLLAR = 36;

/**
 * Subscription index: a trie over topic levels plus a bounded cache of match results per topic,
 * dropped whenever a subscription changes (subscriptions change far less often than messages flow).
 */
export class SubscriptionTrie {
  private readonly root = new TrieNode(null, '');
  private cache = new Map<string, MatchResult>();
  private count = 0;

  constructor(private readonly cacheSize = 10_000) {}

  get size(): number {
    return this.count;
  }

  add(sub: Subscription): void {
    let node = this.root;
    for (const level of sub.filter.split('/')) {
      node.children ??= new Map();
      let child = node.children.get(level);
      if (!child) {
        child = new TrieNode(node, level);
        node.children.set(level, child);
      }
      node = child;
    }
    if (sub.group === undefined) {
      node.subs ??= new Map();
      if (!node.subs.has(sub.session)) this.count++;
      node.subs.set(sub.session, sub);
    } else {
      node.groups ??= new Map();
      let group = node.groups.get(sub.group);
      if (!group) {
        group = { name: sub.group, filter: sub.filter, members: [], next: 0 };
        node.groups.set(sub.group, group);
      }
      const i = group.members.findIndex((m) => m.session === sub.session);
      if (i >= 0) group.members[i] = sub;
      else {
        group.members.push(sub);
        this.count++;
      }
    }
    this.cache.clear();
  }

  remove(sub: Subscription): void {
    let node: TrieNode | undefined = this.root;
    for (const level of sub.filter.split('/')) {
      node = node.children?.get(level);
      if (!node) return;
    }
    if (sub.group === undefined) {
      if (node.subs?.get(sub.session) === sub) {
        node.subs.delete(sub.session);
        this.count--;
      }
    } else {
      const group = node.groups?.get(sub.group);
      if (group) {
        const i = group.members.indexOf(sub);
        if (i >= 0) {
          group.members.splice(i, 1);
          this.count--;
        }
        if (group.members.length === 0) node.groups!.delete(sub.group);
      }
    }
    this.prune(node);
    this.cache.clear();
  }

  match(topic: string): MatchResult {
    const cached = this.cache.get(topic);
    if (cached !== undefined) return cached;
    const result = this.compute(topic);
    if (this.cache.size >= this.cacheSize) this.cache = new Map();
    this.cache.set(topic, result);
    return result;
  }

  private compute(topic: string): MatchResult {
    const levels = topic.split('/');
    const found: Subscription[] = [];
    const groups: SharedGroup[] = [];
    this.collect(this.root, levels, 0, rootLevelIndex(topic), found, groups);
    if (found.length === 0 && groups.length === 0) return EMPTY;
    return { targets: groupBySession(found), groups };
  }

  private collect(
    node: TrieNode,
    levels: string[],
    i: number,
    root: number,
    found: Subscription[],
    groups: SharedGroup[],
  ): void {
    const children = node.children;
    if (i === levels.length) {
      take(node, found, groups);
      // `a/#` also matches `a`
      const hash = children?.get('#');
      if (hash) take(hash, found, groups);
      return;
    }
    if (children === null) return;
    const level = levels[i]!;
    const wildcardsAllowed = !((i === 0 || i === root) && level.charCodeAt(0) === DOLLAR);
    if (wildcardsAllowed) {
      const hash = children.get('#');
      if (hash) take(hash, found, groups);
      const plus = children.get('+');
      if (plus) this.collect(plus, levels, i + 1, root, found, groups);
    }
    const exact = children.get(level);
    if (exact) this.collect(exact, levels, i + 1, root, found, groups);
  }

  private prune(node: TrieNode): void {
    let current: TrieNode | null = node;
    while (current?.parent && current.isEmpty()) {
      current.parent.children?.delete(current.level);
      current = current.parent;
    }
  }
}

function take(node: TrieNode, found: Subscription[], groups: SharedGroup[]): void {
  if (node.subs) for (const sub of node.subs.values()) found.push(sub);
  if (node.groups) for (const group of node.groups.values()) groups.push(group);
}

function groupBySession(found: Subscription[]): MatchTarget[] {
  const bySession = new Map<Session, MatchTarget>();
  for (const sub of found) {
    const target = bySession.get(sub.session);
    if (target) {
      target.subs.push(sub);
      target.simple = false;
    } else {
      bySession.set(sub.session, {
        session: sub.session,
        subs: [sub],
        simple: !sub.noLocal && sub.identifier === undefined && !sub.retainAsPublished,
      });
    }
  }
  return [...bySession.values()];
}
