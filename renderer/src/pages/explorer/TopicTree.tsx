import { type KeyboardEvent, useCallback, useEffect, useMemo, useState } from 'react';
import type { ExplorerTreeNode } from '../../../../preload/contract/explorer';
import { errorMessage } from '../../api/api-call-error';
import { api } from '../../api/client';
import { ErrorNote, VirtualList } from '../../components';
import { useConnections } from './connections-store';
import { treeModel, useTree } from './tree-store';
import { topicFilterProblem } from './util';
import { NodeCells } from './NodeCells';
import { PinnedTopics } from './PinnedTopics';
import { SearchResults } from './SearchResults';
import { TreeFilterForm } from './TreeFilterForm';
import { TreeStatus } from './TreeStatus';

export const ROW_HEIGHT = 24;

/** The live topic tree: virtualized rows, keyboard and mouse expand/collapse, filter, search, pins, pause. */
export function TopicTree() {
  const structure = useTree((s) => s.structure);
  useTree((s) => s.values);
  const {
    selected,
    focused,
    paused,
    pendingTopics,
    pendingUpdates,
    error,
    filter,
    pins,
    rateHistory,
    deltas,
    connectionId,
    viewId,
    totals: treeTotals,
  } = useTree();
  const connection = useConnections((s) => s.connections.find((c) => c.id === connectionId));
  // Before the first delta arrives, the connection list knows the counts.
  const totals =
    deltas === 0 && connection
      ? { topics: connection.topics, messages: connection.messages, rate: 0 }
      : treeTotals;
  const rows = useMemo(() => {
    void structure;
    return treeModel.rows();
  }, [structure]);
  const [filterDraft, setFilterDraft] = useState(filter);
  const [search, setSearch] = useState('');
  const [searchHistory, setSearchHistory] = useState(false);
  const [results, setResults] = useState<ExplorerTreeNode[] | undefined>();
  const [truncated, setTruncated] = useState(false);
  const [searchError, setSearchError] = useState<string>();
  const filterProblem = filterDraft ? topicFilterProblem(filterDraft) : undefined;

  useEffect(() => setFilterDraft(filter), [filter]);

  const select = useCallback((path: string, index?: number) => {
    useTree.setState({ selected: path, ...(index !== undefined ? { focused: index } : {}) });
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (rows.length === 0) return;
    const row = rows[focused];
    let next = focused;
    switch (e.key) {
      case 'ArrowDown':
        next = Math.min(rows.length - 1, focused + 1);
        break;
      case 'ArrowUp':
        next = Math.max(0, focused - 1);
        break;
      case 'PageDown':
        next = Math.min(rows.length - 1, focused + 20);
        break;
      case 'PageUp':
        next = Math.max(0, focused - 20);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = rows.length - 1;
        break;
      case 'ArrowRight':
        if (row?.path) {
          const node = treeModel.nodes.get(row.path);
          if (node && node.childCount > 0 && !treeModel.isExpanded(row.path)) treeModel.expand(row.path);
          else if (treeModel.isExpanded(row.path)) next = Math.min(rows.length - 1, focused + 1);
        }
        break;
      case 'ArrowLeft':
        if (row?.path && treeModel.isExpanded(row.path)) treeModel.collapse(row.path);
        else if (row && row.parent !== '') {
          const parentIndex = rows.findIndex((r) => r.path === row.parent);
          if (parentIndex >= 0) next = parentIndex;
        }
        break;
      case 'Enter':
      case ' ':
        if (row?.path) {
          const node = treeModel.nodes.get(row.path);
          if (node && node.childCount > 0) treeModel.toggle(row.path);
          select(row.path, focused);
        }
        break;
      default:
        return;
    }
    e.preventDefault();
    if (next !== focused) {
      const path = rows[next]?.path;
      useTree.setState({ focused: next, ...(path ? { selected: path } : {}) });
    }
  };

  const runSearch = async () => {
    if (!search && !filterDraft) {
      setResults(undefined);
      return;
    }
    setSearchError(undefined);
    try {
      const res = await api().call('explorer.tree.find', {
        connectionId: useTree.getState().connectionId,
        ...(filterDraft && !filterProblem ? { filter: filterDraft } : {}),
        ...(search ? { search } : {}),
        searchHistory,
        limit: 2000,
      });
      setResults(res.topics);
      setTruncated(res.truncated);
    } catch (err) {
      setSearchError(errorMessage(err));
    }
  };

  const pinnedNodes = pins.map(
    (p) =>
      treeModel.nodes.get(p) ??
      ({ path: p, name: p, messages: 0, subtreeMessages: 0, ownRate: 0, rate: 0 } as ExplorerTreeNode),
  );

  return (
    <section className="panel tree-panel" aria-label="Topic tree" data-view-ready={viewId ? 'true' : 'false'}>
      <div className="tree-toolbar">
        <TreeFilterForm
          draft={filterDraft}
          onDraft={setFilterDraft}
          problem={filterProblem}
          active={filter}
        />
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void runSearch();
          }}
        >
          <input
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="Search payloads"
            aria-label="Search payloads"
            data-testid="tree-search"
          />
          <label className="check small" title="Search every stored message, not only the last value">
            <input
              type="checkbox"
              checked={searchHistory}
              onChange={(e) => setSearchHistory(e.target.checked)}
            />
            history
          </label>
          <button type="submit">Search</button>
          {results ? (
            <button type="button" onClick={() => setResults(undefined)}>
              Back to tree
            </button>
          ) : null}
        </form>
      </div>
      {filterProblem ? <span className="field-problem">{filterProblem}</span> : null}
      <TreeStatus
        totals={totals}
        rateHistory={rateHistory}
        paused={paused}
        pendingTopics={pendingTopics}
        pendingUpdates={pendingUpdates}
        connectionId={connectionId}
        onError={setSearchError}
      />
      <ErrorNote message={error ?? searchError} />
      {results ? null : <PinnedTopics nodes={pinnedNodes} selected={selected} onSelect={select} />}
      {results ? (
        <SearchResults results={results} truncated={truncated} selected={selected} onSelect={select} />
      ) : (
        <VirtualList
          className="tree-list"
          testId="topic-tree"
          count={rows.length}
          rowHeight={ROW_HEIGHT}
          scrollToIndex={focused}
          onRange={(first, last) => treeModel.loadRange(first, last)}
          containerProps={{
            role: 'tree',
            tabIndex: 0,
            'aria-label': 'Topics',
            'aria-activedescendant': rows[focused]?.path ? `tree-row-${focused}` : undefined,
            onKeyDown,
          }}
          renderRow={(i, style) => {
            const row = rows[i]!;
            const node = row.path ? treeModel.nodes.get(row.path) : undefined;
            const indent = { paddingLeft: 6 + row.depth * 16 };
            if (!row.path || !node) {
              return (
                <div key={`p${i}`} style={{ ...style, ...indent }} className="tree-row loading muted">
                  …
                </div>
              );
            }
            const expandable = node.childCount > 0;
            const expanded = treeModel.isExpanded(node.path);
            return (
              // biome-ignore lint/a11y/useKeyWithClickEvents: the tree container handles the keyboard (aria-activedescendant).
              <div
                key={node.path}
                tabIndex={-1}
                id={`tree-row-${i}`}
                role="treeitem"
                aria-level={row.depth + 1}
                aria-expanded={expandable ? expanded : undefined}
                aria-selected={selected === node.path}
                data-path={node.path}
                className={`tree-row ${selected === node.path ? 'selected' : ''} ${focused === i ? 'focused' : ''}`}
                style={{ ...style, ...indent }}
                onClick={() => select(node.path, i)}
                onDoubleClick={() => expandable && treeModel.toggle(node.path)}
              >
                <span
                  className={`twisty ${expandable ? '' : 'leaf'}`}
                  onClick={(e) => {
                    e.stopPropagation();
                    if (expandable) treeModel.toggle(node.path);
                    select(node.path, i);
                  }}
                  aria-hidden="true"
                >
                  {expandable ? (expanded ? '▾' : '▸') : '·'}
                </span>
                <span className={`node-name ${node.isAccountGroup ? 'account-group' : ''}`}>{node.name}</span>
                {expandable ? (
                  <span className="muted small child-count">({node.subtreeTopics.toLocaleString()})</span>
                ) : null}
                <NodeCells node={node} />
              </div>
            );
          }}
        />
      )}
    </section>
  );
}
