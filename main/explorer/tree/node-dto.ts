import type { ExplorerTreeNode } from '../../../preload/contract/explorer';
import { displayTopicOf, type TreeNode } from './tree-node';

export function toNodeDto(node: TreeNode, pinned: boolean): ExplorerTreeNode {
  const dto: ExplorerTreeNode = {
    path: node.path,
    parent: node.parent?.path ?? '',
    name: node.name,
    displayTopic: displayTopicOf(node),
    isAccountGroup: node.isAccountGroup,
    messages: node.messages,
    ownRate: node.ownRate,
    rate: node.rate,
    subtreeMessages: node.subtreeMessages,
    subtreeTopics: node.subtreeTopics,
    childCount: node.children?.size ?? 0,
    retained: node.retained,
    pinned,
  };
  if (node.account !== undefined) dto.account = node.account;
  if (node.messages > 0) {
    dto.lastTime = node.lastTime;
    dto.lastSize = node.lastSize;
    if (node.preview !== undefined) {
      dto.preview = node.preview;
      dto.previewKind = node.previewHex ? 'hex' : 'text';
    }
  }
  return dto;
}
