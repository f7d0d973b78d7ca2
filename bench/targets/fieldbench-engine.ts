import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import { createBroker } from '../../main/broker';
import type { ConnectionSink } from '../../main/broker/listeners';

export interface BenchEngine extends ConnectionSink {
  close(): Promise<void> | void;
}

/** The Fieldbench broker engine as the app creates it (with its SQLite store). */
export async function loadFieldbenchEngine(options: {
  db: Database;
  allowAnonymous: boolean;
  logger: Logger;
}): Promise<BenchEngine> {
  return createBroker(options);
}
