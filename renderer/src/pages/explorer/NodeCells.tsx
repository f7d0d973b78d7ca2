import type { ExplorerTreeNode } from '../../../../preload/contract/explorer';
import { formatRate } from '../../format';

export function NodeCells({ node }: { node: ExplorerTreeNode }) {
  return (
    <>
      {node.account ? <span className="account-chip">{node.account}</span> : null}
      {node.retained ? (
        <span className="retained-mark" title="Has a retained message">
          R
        </span>
      ) : null}
      {node.pinned ? (
        <span className="pin-mark" title="Pinned">
          ★
        </span>
      ) : null}
      <span className="node-preview mono" title={node.preview}>
        {node.messages > 0
          ? node.previewKind === 'hex'
            ? `0x ${node.preview ?? ''}`
            : (node.preview ?? '')
          : ''}
      </span>
      <span className="node-count" title={`${node.messages} on this topic, ${node.subtreeMessages} below`}>
        {node.subtreeMessages.toLocaleString()}
      </span>
      <NodeRates node={node} />
    </>
  );
}

/** The own topic's rate, and for a node with children the rate of its whole subtree: "12/s (340/s below)". */
export function NodeRates({ node }: { node: ExplorerTreeNode }) {
  const own = node.ownRate;
  const subtree = node.childCount > 0 && node.rate > 0 ? node.rate : 0;
  const title =
    node.rate > 0
      ? `${formatRate(own)} on this topic${node.childCount > 0 ? `, ${formatRate(node.rate)} on this topic and below` : ''}`
      : undefined;
  return (
    <span className="node-rates muted" title={title}>
      <span className="node-rate" data-testid="node-rate">
        {own > 0 ? formatRate(own) : ''}
      </span>
      <span className="node-subtree-rate" data-testid="node-subtree-rate">
        {subtree > 0 ? `(${formatRate(subtree)} below)` : ''}
      </span>
    </span>
  );
}
