import type { ExplorerService } from '../explorer-service';
import { connectionHandlers } from './connection-handlers';
import { fileHandlers } from './file-handlers';
import { messageHandlers } from './message-handlers';
import type { ExplorerHandlers } from './shared';
import { trafficHandlers } from './traffic-handlers';
import { treeHandlers } from './tree-handlers';

export type { ExplorerHandlers } from './shared';

/** Every explorer API method, implemented on top of the service. */
export function createHandlers(s: ExplorerService): ExplorerHandlers {
  return {
    ...connectionHandlers(s),
    ...treeHandlers(s),
    ...messageHandlers(s),
    ...trafficHandlers(s),
    ...fileHandlers(s),
  };
}
