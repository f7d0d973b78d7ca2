import process from 'node:process';
import type { SystemInfo, SystemStats } from '../../preload/contract/system';
import type { systemMethods } from '../../preload/contract/system';
import type { HandlersFor, OperatorToken } from '../api';
import type { LogRing } from '../log';
import type { Store } from '../store';
import { latestSchemaVersion } from '../store';

export interface SystemFacts {
  mode: SystemInfo['mode'];
  dataDir: string;
  version: string;
  startedAt: number;
}

export function systemStats(store: Store, startedAt: number, eventsDropped: () => number): SystemStats {
  const mem = process.memoryUsage();
  return {
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    memory: { rss: mem.rss, heapUsed: mem.heapUsed, heapTotal: mem.heapTotal, external: mem.external },
    databaseSizeBytes: store.sizeBytes(),
    eventsDropped: eventsDropped(),
  };
}

export function createSystemHandlers(
  facts: SystemFacts,
  store: Store,
  ring: LogRing,
  eventsDropped: () => number,
  operatorToken: OperatorToken,
): HandlersFor<keyof typeof systemMethods> {
  return {
    'system.info': () => ({
      name: 'Fieldbench',
      version: facts.version,
      mode: facts.mode,
      dataDir: facts.dataDir,
      databasePath: store.path,
      databaseSizeBytes: store.sizeBytes(),
      schemaVersion: store.schemaVersion(),
      latestSchemaVersion,
      startedAt: facts.startedAt,
      node: process.versions.node,
      platform: `${process.platform}-${process.arch}`,
      pid: process.pid,
      runtimeFlags: [...process.execArgv],
    }),
    'system.stats': () => systemStats(store, facts.startedAt, eventsDropped),
    'system.logs': (req) => ({ entries: ring.recent(req.minLevel, req.limit) }),
    'system.rotateToken': () => ({ token: operatorToken.rotate() }),
  };
}
