import type { ExplorerTreeNode } from '../../../../preload/contract/explorer';
import { NodeCells } from './NodeCells';

/** Pinned topics, kept at hand above the tree. */
export function PinnedTopics({
  nodes,
  selected,
  onSelect,
}: {
  nodes: readonly ExplorerTreeNode[];
  selected: string | undefined;
  onSelect(path: string): void;
}) {
  return (
    <>
      {nodes.length > 0 ? (
        <ul className="pinned-list" aria-label="Pinned topics">
          {nodes.map((n) => (
            <li key={n.path}>
              <button
                type="button"
                className={`tree-row flat ${selected === n.path ? 'selected' : ''}`}
                onClick={() => onSelect(n.path)}
              >
                <span className="node-name">★ {n.displayTopic || n.path}</span>
                <NodeCells node={n} />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}
