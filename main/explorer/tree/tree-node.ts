/** One level of the topic tree. Kept compact: numbers for counters, a capped preview string. */
export interface TreeNode {
  name: string;
  /** Internal full path ('' for the root). */
  path: string;
  parent: TreeNode | null;
  children: Map<string, TreeNode> | null;
  /** Sorted child names, rebuilt lazily after a child is added. */
  sortedNames: string[] | null;
  /** Set on the `$a/<account>` group node and everything below it. */
  account: string | undefined;
  isAccountGroup: boolean;
  messages: number;
  subtreeMessages: number;
  subtreeTopics: number;
  /** Messages in the current rate window (this node and below). */
  window: number;
  /** Messages per second on this node and below, over the last rate window. */
  rate: number;
  /** Messages in the current rate window on exactly this topic. */
  ownWindow: number;
  /** Messages per second on exactly this topic, over the last rate window. */
  ownRate: number;
  lastTime: number;
  lastSize: number;
  preview: string | undefined;
  previewHex: boolean;
  retained: boolean;
  /** Known only from stored history so far (seeded after a restart, no live message yet). */
  fromHistory: boolean;
}

export function newNode(name: string, path: string, parent: TreeNode | null, account?: string): TreeNode {
  return {
    name,
    path,
    parent,
    children: null,
    sortedNames: null,
    account,
    isAccountGroup: false,
    messages: 0,
    subtreeMessages: 0,
    subtreeTopics: 0,
    window: 0,
    rate: 0,
    ownWindow: 0,
    ownRate: 0,
    lastTime: 0,
    lastSize: 0,
    preview: undefined,
    previewHex: false,
    retained: false,
    fromHistory: false,
  };
}

/** The topic the node's account sees (prefix stripped); '' for the account group node itself. */
export function displayTopicOf(node: TreeNode): string {
  if (!node.account) return node.path;
  const prefix = `$a/${node.account}`;
  return node.path.length > prefix.length ? node.path.slice(prefix.length + 1) : '';
}

/** Splits a path into tree levels; `$a/<account>` counts as one level. */
export function pathLevels(path: string): string[] {
  if (path === '') return [];
  const levels = path.split('/');
  if (levels[0] === '$a' && levels.length >= 2) {
    const group = `$a/${levels[1]}`;
    return [group, ...levels.slice(2)];
  }
  return levels;
}
