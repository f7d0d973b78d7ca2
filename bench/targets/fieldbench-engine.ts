import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { ConnectionSink } from '../../main/broker/listeners';

export interface BenchEngine extends ConnectionSink {
  close(): Promise<void> | void;
}

/** Creates the Fieldbench broker engine (`createBroker` from main/broker). */
export async function loadFieldbenchEngine(options: {
  db: Database;
  allowAnonymous: boolean;
  logger: Logger;
}): Promise<BenchEngine> {
  // Loaded by path so the bench compiles while the engine's entry point is being written.
  const modulePath = '../../main/broker/index';
  const mod = (await import(modulePath)) as {
    createBroker(o: typeof options): BenchEngine | Promise<BenchEngine>;
  };
  return mod.createBroker(options);
}
