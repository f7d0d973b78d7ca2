import crypto from 'node:crypto';
import type { ExplorerTreeDelta } from '../../../preload/contract/explorer';
import { toNodeDto } from './node-dto';
import { nodeMayMatch, type TopicTree } from './topic-tree';
import type { TreeNode } from './tree-node';

export const MAX_DELTA_NODES = 500;

interface View {
  id: string;
  connectionId: string;
  expanded: Set<string>;
  filterLevels: string[] | undefined;
  paused: boolean;
  /** Relevant changed nodes not yet sent (bounded by the expanded nodes' children). */
  pending: Set<TreeNode>;
  seq: number;
  resync: boolean;
  removed: string[];
  touchedAt: number;
}

export interface ViewHost {
  tree(connectionId: string): TopicTree | undefined;
  isPinned(connectionId: string, path: string): boolean;
  emit(delta: ExplorerTreeDelta): void;
  /** Called when the first view of a connection opens or the last one closes. */
  watchingChanged(connectionId: string, watching: boolean): void;
}

/**
 * Per-UI views over the connection trees. Each tick turns the trees' dirty nodes into at most one
 * bounded delta per view, containing only nodes the view can see (top level, expanded parents, pins).
 */
export class ViewManager {
  private readonly views = new Map<string, View>();

  constructor(
    private readonly host: ViewHost,
    private readonly idleTimeoutMs = 120_000,
  ) {}

  open(connectionId: string, filter?: string): string {
    const id = crypto.randomUUID();
    const first = !this.hasViews(connectionId);
    this.views.set(id, {
      id,
      connectionId,
      expanded: new Set(['']),
      filterLevels: filter ? filter.split('/') : undefined,
      paused: false,
      pending: new Set(),
      seq: 0,
      resync: false,
      removed: [],
      touchedAt: Date.now(),
    });
    if (first) this.host.watchingChanged(connectionId, true);
    return id;
  }

  get(viewId: string): View | undefined {
    const view = this.views.get(viewId);
    if (view) view.touchedAt = Date.now();
    return view;
  }

  update(viewId: string, change: { filter?: string | null; paused?: boolean }): boolean {
    const view = this.get(viewId);
    if (!view) return false;
    if (change.filter !== undefined) {
      view.filterLevels = change.filter ? change.filter.split('/') : undefined;
      this.markResync(view);
    }
    if (change.paused !== undefined && change.paused !== view.paused) {
      view.paused = change.paused;
      if (!view.paused) this.markResync(view);
    }
    return true;
  }

  expand(viewId: string, path: string, expanded: boolean): boolean {
    const view = this.get(viewId);
    if (!view) return false;
    if (expanded) view.expanded.add(path);
    else if (path !== '') view.expanded.delete(path);
    return true;
  }

  close(viewId: string): boolean {
    const view = this.views.get(viewId);
    if (!view) return false;
    this.views.delete(viewId);
    if (!this.hasViews(view.connectionId)) this.host.watchingChanged(view.connectionId, false);
    return true;
  }

  closeConnection(connectionId: string): void {
    for (const view of [...this.views.values()]) if (view.connectionId === connectionId) this.close(view.id);
  }

  hasViews(connectionId: string): boolean {
    for (const view of this.views.values()) if (view.connectionId === connectionId) return true;
    return false;
  }

  /** The tree was cleared: views must refetch. */
  resetConnection(connectionId: string): void {
    for (const view of this.views.values()) if (view.connectionId === connectionId) this.markResync(view);
  }

  /** Collects dirty nodes of every tree and emits one bounded delta per view with something to say. */
  tick(connectionIds: Iterable<string>, now = Date.now()): void {
    for (const view of [...this.views.values()]) {
      if (now - view.touchedAt > this.idleTimeoutMs) this.close(view.id);
    }
    for (const connectionId of connectionIds) {
      const tree = this.host.tree(connectionId);
      if (!tree) continue;
      const dirty = tree.takeDirty();
      const views = [...this.views.values()].filter((v) => v.connectionId === connectionId);
      for (const view of views) {
        if (!view.paused && !view.resync)
          for (const node of dirty) if (this.visible(view, node)) view.pending.add(node);
        this.flush(view, tree, now);
      }
    }
  }

  private visible(view: View, node: TreeNode): boolean {
    const parentPath = node.parent?.path ?? '';
    const shown = view.expanded.has(parentPath) || this.host.isPinned(view.connectionId, node.path);
    if (!shown) return false;
    return !view.filterLevels || nodeMayMatch(node, view.filterLevels);
  }

  private flush(view: View, tree: TopicTree, now: number): void {
    if (view.paused) return;
    if (view.pending.size === 0 && !view.resync && view.removed.length === 0) return;
    const nodes = [];
    if (!view.resync) {
      for (const node of view.pending) {
        if (nodes.length >= MAX_DELTA_NODES) break;
        view.pending.delete(node);
        nodes.push(toNodeDto(node, this.host.isPinned(view.connectionId, node.path)));
      }
    }
    view.seq++;
    this.host.emit({
      viewId: view.id,
      connectionId: view.connectionId,
      seq: view.seq,
      time: now,
      resync: view.resync,
      nodes,
      removed: view.removed.splice(0, MAX_DELTA_NODES),
      totals: { topics: tree.topics, messages: tree.messages, rate: tree.totalRate },
    });
    view.resync = false;
  }

  private markResync(view: View): void {
    view.resync = true;
    view.pending.clear();
  }
}
