import { create } from 'zustand';
import type { ExplorerTreeDelta, ExplorerTreeNode } from '../../../../preload/contract/explorer';
import { errorMessage } from '../../api/api-call-error';
import { api } from '../../api/client';

/** Children fetched per `explorer.tree.children` call. */
export const PAGE_SIZE = 500;
const TOUCH_MS = 30_000;
const RATE_POINTS = 60;

interface ChildList {
  total: number;
  /** Child paths by sorted position; holes for pages not fetched yet. */
  items: (string | undefined)[];
  known: Set<string>;
  pages: Set<number>;
}

/** One visible row of the flattened tree. `path` is undefined while its page is still loading. */
export interface TreeRow {
  path: string | undefined;
  parent: string;
  index: number;
  depth: number;
}

export interface Totals {
  topics: number;
  messages: number;
  rate: number;
}

/** The reactive part: counters that tell components to re-read the (mutable) model, plus UI state. */
interface TreeUiState {
  connectionId: string;
  viewId: string | undefined;
  /** Bumped when rows are added, removed, expanded or collapsed. */
  structure: number;
  /** Bumped when node values change (counts, previews). */
  values: number;
  totals: Totals;
  rateHistory: number[];
  paused: boolean;
  /** Distinct topics changed while paused. */
  pendingTopics: number;
  pendingUpdates: number;
  filter: string;
  selected: string | undefined;
  focused: number;
  pins: string[];
  error: string | undefined;
  /** Frames in which deltas were applied, and deltas applied (for the benchmark and tests). */
  frames: number;
  deltas: number;
}

export const useTree = create<TreeUiState>(() => ({
  connectionId: 'local',
  viewId: undefined,
  structure: 0,
  values: 0,
  totals: { topics: 0, messages: 0, rate: 0 },
  rateHistory: [],
  paused: false,
  pendingTopics: 0,
  pendingUpdates: 0,
  filter: '',
  selected: undefined,
  focused: 0,
  pins: [],
  error: undefined,
  frames: 0,
  deltas: 0,
}));

function nameCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The topic tree of the Explorer: nodes keyed by path, child lists paged from the core, and
 * `explorer.tree.delta` batches queued and applied at most once per animation frame.
 */
class TreeModel {
  readonly nodes = new Map<string, ExplorerTreeNode>();
  private readonly children = new Map<string, ChildList>();
  private readonly expanded = new Set<string>(['']);
  private queue: ExplorerTreeDelta[] = [];
  private frameRequested = false;
  private lastSeq: number | undefined;
  private readonly inflight = new Set<string>();
  private readonly reloadTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private pendingPaths = new Set<string>();
  private rowsCache: TreeRow[] = [];
  private rowsVersion = -1;
  private unsubscribe: (() => void) | undefined;
  private touchTimer: ReturnType<typeof setInterval> | undefined;
  private generation = 0;
  private lastRateAt = 0;
  private removeHideListener: (() => void) | undefined;

  /** Opens a view on a connection (closing the previous one) and loads the top level. */
  async start(connectionId: string, filter: string): Promise<void> {
    const generation = ++this.generation;
    await this.stop(false);
    this.reset();
    useTree.setState({
      connectionId,
      filter,
      viewId: undefined,
      error: undefined,
      selected: undefined,
      focused: 0,
    });
    this.unsubscribe = api().on('explorer.tree.delta', (d) => this.onDelta(d));
    try {
      const { viewId } = await api().call('explorer.view.open', {
        connectionId,
        ...(filter ? { filter } : {}),
      });
      if (generation !== this.generation) {
        api()
          .call('explorer.view.close', { viewId })
          .catch(() => {});
        return;
      }
      useTree.setState({ viewId });
      // Closing the tab closes the view at once (instead of after the two-minute idle timeout).
      const onHide = () => {
        api()
          .call('explorer.view.close', { viewId })
          .catch(() => {});
      };
      window.addEventListener('pagehide', onHide);
      this.removeHideListener = () => window.removeEventListener('pagehide', onHide);
      this.touchTimer = setInterval(() => {
        api()
          .call('explorer.view.touch', { viewId })
          .catch(() => {});
      }, TOUCH_MS);
      await this.fetchPage('', 0);
      const pins = await api().call('explorer.pins.list', { connectionId });
      if (generation === this.generation) {
        useTree.setState({ pins: pins.topics });
        for (const p of pins.topics) this.ensureNode(p);
      }
    } catch (err) {
      if (generation === this.generation) useTree.setState({ error: errorMessage(err) });
    }
  }

  /** Closes the view and stops listening. */
  async stop(bumpGeneration = true): Promise<void> {
    if (bumpGeneration) this.generation++;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.touchTimer) clearInterval(this.touchTimer);
    this.touchTimer = undefined;
    this.removeHideListener?.();
    this.removeHideListener = undefined;
    const { viewId } = useTree.getState();
    useTree.setState({ viewId: undefined });
    if (viewId)
      await api()
        .call('explorer.view.close', { viewId })
        .catch(() => {});
  }

  private reset(): void {
    this.nodes.clear();
    this.children.clear();
    this.expanded.clear();
    this.expanded.add('');
    this.children.set('', { total: 0, items: [], known: new Set(), pages: new Set() });
    this.queue = [];
    this.lastSeq = undefined;
    this.inflight.clear();
    for (const t of this.reloadTimers.values()) clearTimeout(t);
    this.reloadTimers.clear();
    this.pendingPaths.clear();
    useTree.setState((s) => ({
      structure: s.structure + 1,
      values: s.values + 1,
      totals: { topics: 0, messages: 0, rate: 0 },
      rateHistory: [],
      paused: false,
      pendingTopics: 0,
      pendingUpdates: 0,
      deltas: 0,
    }));
  }

  // ---------- deltas ----------

  private onDelta(delta: ExplorerTreeDelta): void {
    if (delta.viewId !== useTree.getState().viewId) return;
    this.queue.push(delta);
    if (!this.frameRequested) {
      this.frameRequested = true;
      requestAnimationFrame(() => this.flush());
    }
  }

  /** Applies every queued delta, then publishes one state change (so React renders once per frame). */
  private flush(): void {
    this.frameRequested = false;
    const deltas = this.queue;
    this.queue = [];
    if (deltas.length === 0) return;
    const state = useTree.getState();
    let resync = false;
    let structureChanged = false;
    let pendingUpdates = state.pendingUpdates;
    let totals = state.totals;
    for (const d of deltas) {
      if (this.lastSeq !== undefined && d.seq !== this.lastSeq + 1) resync = true;
      this.lastSeq = d.seq;
      totals = d.totals;
      if (d.resync) {
        resync = true;
        continue;
      }
      if (state.paused) {
        for (const n of d.nodes) this.pendingPaths.add(n.path);
        pendingUpdates += d.nodes.length + d.removed.length;
        for (const r of d.removed) this.pendingPaths.add(r);
        continue;
      }
      for (const n of d.nodes) if (this.applyNode(n)) structureChanged = true;
      for (const path of d.removed) if (this.removeNode(path)) structureChanged = true;
    }
    const now = Date.now();
    let rateHistory = state.rateHistory;
    if (now - this.lastRateAt >= 1000) {
      this.lastRateAt = now;
      rateHistory = [...rateHistory.slice(-(RATE_POINTS - 1)), totals.rate];
    }
    useTree.setState({
      totals,
      rateHistory,
      values: state.values + 1,
      structure: structureChanged ? state.structure + 1 : state.structure,
      pendingTopics: this.pendingPaths.size,
      pendingUpdates,
      frames: state.frames + 1,
      deltas: state.deltas + deltas.length,
    });
    if (resync && !state.paused) void this.resync();
  }

  /** Stores a node; returns true when the row structure changed. */
  private applyNode(n: ExplorerTreeNode): boolean {
    this.nodes.set(n.path, n);
    const list = this.children.get(n.parent);
    if (!list || list.known.has(n.path)) return false;
    if (this.complete(list)) {
      let lo = 0;
      let hi = list.items.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const other = this.nodes.get(list.items[mid]!)?.name ?? '';
        if (nameCompare(other, n.name) < 0) lo = mid + 1;
        else hi = mid;
      }
      list.items.splice(lo, 0, n.path);
      list.known.add(n.path);
      list.total = list.items.length;
      const pages = Math.ceil(list.total / PAGE_SIZE);
      for (let p = 0; p < pages; p++) list.pages.add(p);
      return true;
    }
    this.scheduleReload(n.parent);
    return false;
  }

  private removeNode(path: string): boolean {
    const n = this.nodes.get(path);
    this.nodes.delete(path);
    this.children.delete(path);
    this.expanded.delete(path);
    const parent = n?.parent ?? path.split('/').slice(0, -1).join('/');
    const list = this.children.get(parent);
    if (!list?.known.has(path)) return false;
    const i = list.items.indexOf(path);
    if (i >= 0) list.items.splice(i, 1);
    list.known.delete(path);
    list.total = Math.max(0, list.total - 1);
    return true;
  }

  private complete(list: ChildList): boolean {
    const pages = Math.ceil(list.total / PAGE_SIZE);
    for (let p = 0; p < pages; p++) if (!list.pages.has(p)) return false;
    return true;
  }

  private scheduleReload(parent: string): void {
    if (this.reloadTimers.has(parent)) return;
    this.reloadTimers.set(
      parent,
      setTimeout(() => {
        this.reloadTimers.delete(parent);
        const list = this.children.get(parent);
        if (!list) return;
        const pages = list.pages.size > 0 ? [...list.pages] : [0];
        for (const p of pages) void this.fetchPage(parent, p, true);
      }, 400),
    );
  }

  /** Re-fetches every loaded page of every expanded node (after a gap, a filter change or a pause). */
  async resync(): Promise<void> {
    const jobs: Promise<void>[] = [];
    for (const parent of this.expanded) {
      const list = this.children.get(parent);
      const pages = list && list.pages.size > 0 ? [...list.pages] : [0];
      for (const p of pages) jobs.push(this.fetchPage(parent, p, true));
    }
    const pins = useTree.getState().pins;
    for (const p of pins) jobs.push(this.ensureNode(p));
    await Promise.all(jobs);
  }

  /** Fetches one page of children; `force` re-fetches a page already loaded. */
  async fetchPage(parent: string, page: number, force = false): Promise<void> {
    const key = `${parent}\u0000${page}`;
    const list0 = this.children.get(parent);
    if (!list0 || this.inflight.has(key) || (!force && list0.pages.has(page))) return;
    const { connectionId, viewId, filter } = useTree.getState();
    const generation = this.generation;
    this.inflight.add(key);
    try {
      const res = await api().call('explorer.tree.children', {
        connectionId,
        path: parent,
        offset: page * PAGE_SIZE,
        limit: PAGE_SIZE,
        ...(viewId ? { viewId } : {}),
        ...(filter ? { filter } : {}),
      });
      const list = this.children.get(parent);
      if (generation !== this.generation || !list) return;
      if (res.node) this.nodes.set(res.node.path, res.node);
      if (res.total !== list.total) {
        if (res.total < list.items.length) {
          for (const p of list.items.slice(res.total)) if (p) list.known.delete(p);
          list.items.length = res.total;
        } else {
          list.items.length = res.total;
        }
        list.total = res.total;
        for (const p of [...list.pages]) if (p * PAGE_SIZE >= res.total) list.pages.delete(p);
      }
      const start = page * PAGE_SIZE;
      for (let i = 0; i < res.children.length; i++) {
        const child = res.children[i]!;
        const old = list.items[start + i];
        if (old && old !== child.path) list.known.delete(old);
        list.items[start + i] = child.path;
        list.known.add(child.path);
        this.nodes.set(child.path, child);
      }
      list.pages.add(page);
      useTree.setState((s) => ({ structure: s.structure + 1, values: s.values + 1, error: undefined }));
    } catch (err) {
      if (generation === this.generation) useTree.setState({ error: errorMessage(err) });
    } finally {
      this.inflight.delete(key);
    }
  }

  /** Loads a single node (used for pins, which may live under collapsed parents). */
  private async ensureNode(path: string): Promise<void> {
    const { connectionId } = useTree.getState();
    try {
      const res = await api().call('explorer.tree.children', { connectionId, path, limit: 1 });
      if (res.node) {
        this.nodes.set(res.node.path, res.node);
        useTree.setState((s) => ({ values: s.values + 1 }));
      }
    } catch {
      /* the pinned topic may not exist yet */
    }
  }

  // ---------- expand / collapse ----------

  isExpanded(path: string): boolean {
    return this.expanded.has(path);
  }

  expand(path: string): void {
    if (this.expanded.has(path)) return;
    const node = this.nodes.get(path);
    this.expanded.add(path);
    const total = node?.childCount ?? 0;
    this.children.set(path, { total, items: new Array(total), known: new Set(), pages: new Set() });
    useTree.setState((s) => ({ structure: s.structure + 1 }));
    void this.fetchPage(path, 0);
  }

  collapse(path: string): void {
    if (path === '' || !this.expanded.has(path)) return;
    const { viewId } = useTree.getState();
    const prefix = `${path}/`;
    // Forget the nodes below (pins stay), so browsing a big tree does not keep everything in memory.
    const pins = new Set(useTree.getState().pins);
    for (const p of this.nodes.keys()) if (p.startsWith(prefix) && !pins.has(p)) this.nodes.delete(p);
    for (const p of [...this.expanded]) {
      if (p === path || p.startsWith(prefix)) {
        this.expanded.delete(p);
        this.children.delete(p);
        if (viewId)
          api()
            .call('explorer.view.expand', { viewId, path: p, expanded: false })
            .catch(() => {});
      }
    }
    useTree.setState((s) => ({ structure: s.structure + 1 }));
  }

  toggle(path: string): void {
    if (this.expanded.has(path)) this.collapse(path);
    else this.expand(path);
  }

  /** The visible rows, flattened depth-first; recomputed only when the structure changed. */
  rows(): TreeRow[] {
    const version = useTree.getState().structure;
    if (version === this.rowsVersion) return this.rowsCache;
    const out: TreeRow[] = [];
    const walk = (parent: string, depth: number) => {
      const list = this.children.get(parent);
      if (!list) return;
      for (let i = 0; i < list.total; i++) {
        const path = list.items[i];
        out.push({ path, parent, index: i, depth });
        if (path !== undefined && this.expanded.has(path)) walk(path, depth + 1);
      }
    };
    walk('', 0);
    this.rowsCache = out;
    this.rowsVersion = version;
    return out;
  }

  /** Asks for the pages behind rows that are visible but not loaded yet. */
  loadRange(first: number, last: number): void {
    const rows = this.rows();
    const wanted = new Set<string>();
    for (let i = Math.max(0, first); i <= last && i < rows.length; i++) {
      const row = rows[i]!;
      if (row.path === undefined) wanted.add(`${row.parent}\u0000${Math.floor(row.index / PAGE_SIZE)}`);
    }
    for (const key of wanted) {
      const [parent, page] = key.split('\u0000');
      void this.fetchPage(parent!, Number(page));
    }
  }

  // ---------- pause, filter, pins ----------

  setPaused(paused: boolean): void {
    useTree.setState({ paused });
    if (!paused) {
      this.pendingPaths.clear();
      useTree.setState({ pendingTopics: 0, pendingUpdates: 0 });
      void this.resync();
    }
  }

  async setFilter(filter: string): Promise<void> {
    const { viewId } = useTree.getState();
    useTree.setState({ filter });
    if (!viewId) return;
    try {
      await api().call('explorer.view.update', { viewId, filter: filter || null });
      await this.resync();
    } catch (err) {
      useTree.setState({ error: errorMessage(err) });
    }
  }

  async setPinned(path: string, pinned: boolean): Promise<void> {
    const { connectionId, pins } = useTree.getState();
    await api().call('explorer.pins.set', { connectionId, topic: path, pinned });
    const next = pinned ? [...new Set([...pins, path])] : pins.filter((p) => p !== path);
    const node = this.nodes.get(path);
    if (node) this.nodes.set(path, { ...node, pinned });
    useTree.setState((s) => ({ pins: next, values: s.values + 1 }));
  }
}

export const treeModel = new TreeModel();

/** Development and benchmark hook: lets a test read frame counters without React internals. */
(globalThis as unknown as { __fieldbenchTree?: unknown }).__fieldbenchTree = {
  state: () => useTree.getState(),
  rows: () => treeModel.rows().length,
};
