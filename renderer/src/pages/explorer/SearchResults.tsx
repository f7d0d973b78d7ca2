import type { ExplorerTreeNode } from '../../../../preload/contract/explorer';
import { VirtualList } from '../../components';
import { NodeCells } from './NodeCells';
import { ROW_HEIGHT } from './TopicTree';
import { treeModel } from './tree-store';

/** Topics whose payloads matched a search, as a flat list. */
export function SearchResults({
  results,
  truncated,
  selected,
  onSelect,
}: {
  results: readonly ExplorerTreeNode[];
  truncated: boolean;
  selected: string | undefined;
  onSelect(path: string): void;
}) {
  return (
    <>
      <div className="muted small">
        {results.length.toLocaleString()} matching topics
        {truncated ? ' (more exist; narrow the search)' : ''}
      </div>
      <VirtualList
        className="tree-list"
        testId="search-results"
        count={results.length}
        rowHeight={ROW_HEIGHT}
        renderRow={(i, style) => {
          const n = results[i]!;
          return (
            <div
              key={n.path}
              style={style}
              className={`tree-row ${selected === n.path ? 'selected' : ''}`}
              onClick={() => onSelect(n.path)}
              onKeyDown={(e) => e.key === 'Enter' && onSelect(n.path)}
              role="option"
              tabIndex={-1}
              aria-selected={selected === n.path}
            >
              <span className="node-name">{n.displayTopic || n.path}</span>
              <NodeCells node={treeModel.nodes.get(n.path) ?? n} />
            </div>
          );
        }}
      />
    </>
  );
}
