import type { Message } from './message';
import { isLiteralFilter, NAMESPACE_ROOT, topicMatches } from './topics';

export interface RetainedEntry {
  message: Message;
  storedAt: number;
}

/** One topic level; `entry` is the retained message whose topic ends here. */
interface LevelNode {
  entry: RetainedEntry | null;
  children: Map<string, LevelNode> | null;
}

/**
 * Retained messages by internal topic. Literal filters are a map lookup; wildcard filters walk a
 * tree of topic levels, so `devices/42/#` visits only that branch however many topics are retained.
 */
export class RetainedStore {
  private readonly byTopic = new Map<string, RetainedEntry>();
  private readonly root: LevelNode = { entry: null, children: null };
  /** Retained topics per account namespace (`$a/<name>/`), for the per-account quota. */
  private readonly perNamespace = new Map<string, number>();

  get size(): number {
    return this.byTopic.size;
  }

  has(topic: string): boolean {
    return this.byTopic.has(topic);
  }

  /** Retained messages held under an account namespace prefix. */
  countIn(prefix: string): number {
    return this.perNamespace.get(prefix) ?? 0;
  }

  /** Whether retaining a new topic would take its account namespace past `limit` (replacing never does). */
  overQuota(topic: string, limit: number): boolean {
    const prefix = namespaceOf(topic);
    return prefix !== null && this.countIn(prefix) >= limit && !this.byTopic.has(topic);
  }

  private count(topic: string, delta: 1 | -1): void {
    const prefix = namespaceOf(topic);
    if (prefix === null) return;
    const n = (this.perNamespace.get(prefix) ?? 0) + delta;
    if (n > 0) this.perNamespace.set(prefix, n);
    else this.perNamespace.delete(prefix);
  }

  set(message: Message, storedAt: number): void {
    const entry = { message, storedAt };
    if (!this.byTopic.has(message.topic)) this.count(message.topic, 1);
    this.byTopic.set(message.topic, entry);
    let node = this.root;
    for (const level of message.topic.split('/')) {
      node.children ??= new Map();
      let child = node.children.get(level);
      if (child === undefined) {
        child = { entry: null, children: null };
        node.children.set(level, child);
      }
      node = child;
    }
    node.entry = entry;
  }

  delete(topic: string): boolean {
    if (!this.byTopic.delete(topic)) return false;
    this.count(topic, -1);
    const path: LevelNode[] = [this.root];
    const levels = topic.split('/');
    for (const level of levels) path.push(path[path.length - 1]!.children!.get(level)!);
    path[path.length - 1]!.entry = null;
    // Prune the branch back to the nearest level still holding something.
    for (let i = levels.length; i > 0; i--) {
      const node = path[i]!;
      if (node.entry !== null || (node.children !== null && node.children.size > 0)) break;
      path[i - 1]!.children!.delete(levels[i - 1]!);
    }
    return true;
  }

  /** Live (unexpired) entries matching an internal filter; expired ones are removed on the way. */
  match(filter: string, now: number, onExpired: (topic: string) => void): RetainedEntry[] {
    const out: RetainedEntry[] = [];
    if (isLiteralFilter(filter)) {
      const entry = this.byTopic.get(filter);
      if (entry) this.keepIfLive(entry, now, out, onExpired);
      return out;
    }
    const candidates: RetainedEntry[] = [];
    collect(this.root, filter.split('/'), 0, candidates);
    // The tree narrows the search; topicMatches keeps the exact rules ($-topics and account prefixes).
    for (const entry of candidates) {
      if (topicMatches(filter, entry.message.topic)) this.keepIfLive(entry, now, out, onExpired);
    }
    return out;
  }

  entries(): IterableIterator<RetainedEntry> {
    return this.byTopic.values();
  }

  private keepIfLive(
    entry: RetainedEntry,
    now: number,
    out: RetainedEntry[],
    onExpired: (t: string) => void,
  ) {
    const expiresAt = entry.message.expiresAt;
    if (expiresAt > 0 && expiresAt <= now) {
      this.delete(entry.message.topic);
      onExpired(entry.message.topic);
      return;
    }
    out.push(entry);
  }
}

/** `$a/<name>/` of a namespaced topic, or null in the root namespace. */
function namespaceOf(topic: string): string | null {
  if (!topic.startsWith(NAMESPACE_ROOT)) return null;
  const end = topic.indexOf('/', NAMESPACE_ROOT.length);
  return end < 0 ? null : topic.slice(0, end + 1);
}

function collect(node: LevelNode, levels: string[], i: number, out: RetainedEntry[]): void {
  if (i === levels.length) {
    if (node.entry !== null) out.push(node.entry);
    return;
  }
  const level = levels[i]!;
  if (level === '#') {
    collectAll(node, out); // `a/#` also matches `a` itself
    return;
  }
  if (node.children === null) return;
  if (level === '+') {
    for (const child of node.children.values()) collect(child, levels, i + 1, out);
    return;
  }
  const child = node.children.get(level);
  if (child !== undefined) collect(child, levels, i + 1, out);
}

function collectAll(node: LevelNode, out: RetainedEntry[]): void {
  if (node.entry !== null) out.push(node.entry);
  if (node.children === null) return;
  for (const child of node.children.values()) collectAll(child, out);
}
