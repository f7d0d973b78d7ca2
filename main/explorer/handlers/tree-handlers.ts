import type { ExplorerTreeNode } from '../../../preload/contract/explorer';
import { ApiError } from '../../api/api-error';
import type { ExplorerService } from '../explorer-service';
import { matchLevels, splitAccount } from '../topic-match';
import { toNodeDto } from '../tree/node-dto';
import { topicNodeMatches } from '../tree/topic-tree';
import { type HandlerGroup, ok, requireConnection } from './shared';

/** Views (what a UI watches), paged tree children, topic search and pins. */
export function treeHandlers(
  s: ExplorerService,
): HandlerGroup<'explorer.view.' | 'explorer.tree.' | 'explorer.pins.'> {
  return {
    'explorer.view.open': ({ connectionId, filter }) => {
      requireConnection(s, connectionId);
      s.tree(connectionId);
      return { viewId: s.views.open(connectionId, filter) };
    },
    'explorer.view.update': ({ viewId, filter, paused }) => {
      const change: { filter?: string | null; paused?: boolean } = {};
      if (filter !== undefined) change.filter = filter;
      if (paused !== undefined) change.paused = paused;
      if (!s.views.update(viewId, change)) throw new ApiError('NOT_FOUND', `No view "${viewId}"`);
      return ok;
    },
    'explorer.view.expand': ({ viewId, path: nodePath, expanded }) => {
      if (!s.views.expand(viewId, nodePath, expanded)) throw new ApiError('NOT_FOUND', `No view "${viewId}"`);
      return ok;
    },
    'explorer.view.touch': ({ viewId }) => {
      if (!s.views.get(viewId)) throw new ApiError('NOT_FOUND', `No view "${viewId}"`);
      return ok;
    },
    'explorer.view.close': ({ viewId }) => {
      s.views.close(viewId);
      return ok;
    },
    'explorer.tree.children': ({ connectionId, path: nodePath, offset, limit, viewId, filter }) => {
      const tree = s.existingTree(connectionId);
      const view = viewId ? s.views.get(viewId) : undefined;
      if (viewId && !view) throw new ApiError('NOT_FOUND', `No view "${viewId}"`);
      if (view) s.views.expand(view.id, nodePath, true);
      const node = tree?.find(nodePath);
      if (!tree || !node) {
        if (nodePath === '') return { node: null, children: [], total: 0 };
        throw new ApiError('NOT_FOUND', `No topic-tree node "${nodePath}"`);
      }
      const filterLevels = filter ? filter.split('/') : view?.filterLevels;
      const { page, total } = tree.children(node, offset, limit, filterLevels);
      const pinned = (p: string) => s.pins.isPinned(connectionId, p);
      return {
        node: nodePath === '' ? null : toNodeDto(node, pinned(node.path)),
        children: page.map((c) => toNodeDto(c, pinned(c.path))),
        total,
      };
    },
    'explorer.tree.find': ({ connectionId, filter, search, searchHistory, limit }) => {
      const tree = s.existingTree(connectionId);
      const filterLevels = filter?.split('/');
      const needle = search?.toLowerCase();
      if (needle && searchHistory) s.history.flush();
      const fromHistory =
        needle && searchHistory
          ? new Set(s.queries.topicsContaining(connectionId, search ?? '', 10_000))
          : undefined;
      const out: ExplorerTreeNode[] = [];
      let truncated = false;
      tree?.walkTopics((node) => {
        if (filterLevels && !topicNodeMatches(node, filterLevels)) return true;
        if (needle) {
          const inPreview = !node.previewHex && (node.preview ?? '').toLowerCase().includes(needle);
          if (!inPreview && !fromHistory?.has(node.path)) return true;
        }
        if (out.length >= limit) {
          truncated = true;
          return false;
        }
        out.push(toNodeDto(node, s.pins.isPinned(connectionId, node.path)));
        return true;
      });
      // Topics only in stored history (e.g. from before a restart) are listed too.
      for (const topic of fromHistory ?? []) {
        if (out.length >= limit) {
          truncated = true;
          break;
        }
        if (tree?.find(topic)?.messages) continue;
        const dto = historyOnlyNode(topic, s.pins.isPinned(connectionId, topic));
        if (!filterLevels || matchLevels(filterLevels, dto.displayTopic.split('/'))) out.push(dto);
      }
      out.sort((a, b) => (a.path < b.path ? -1 : 1));
      return { topics: out, truncated };
    },
    'explorer.tree.clear': ({ connectionId }) => {
      s.clearTree(connectionId);
      return ok;
    },
    'explorer.pins.set': ({ connectionId, topic, pinned }) => {
      s.pins.set(connectionId, topic, pinned);
      return ok;
    },
    'explorer.pins.list': ({ connectionId }) => ({ topics: s.pins.list(connectionId) }),
  };
}

/** A tree-node row for a topic known only from stored history. */
function historyOnlyNode(topic: string, pinned: boolean): ExplorerTreeNode {
  const { account, displayTopic } = splitAccount(topic);
  const cut = topic.lastIndexOf('/');
  const node: ExplorerTreeNode = {
    path: topic,
    parent: cut < 0 ? '' : topic.slice(0, cut),
    name: cut < 0 ? topic : topic.slice(cut + 1),
    displayTopic,
    isAccountGroup: false,
    messages: 0,
    ownRate: 0,
    rate: 0,
    subtreeMessages: 0,
    subtreeTopics: 0,
    childCount: 0,
    retained: false,
    pinned,
  };
  if (account !== undefined) node.account = account;
  return node;
}
