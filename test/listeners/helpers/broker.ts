import pino from 'pino';
import { createBroker } from '../../../main/broker';
import type { ConnectionInfo, ConnectionSink } from '../../../main/broker/listeners';

export const silentLogger = pino({ level: 'silent' });

export interface TestBroker extends ConnectionSink {
  /** Every connection the listeners handed over, newest last. */
  readonly handed: ConnectionInfo[];
  close(): Promise<void>;
}

/** The real Fieldbench broker engine (anonymous allowed), wrapped to record what each listener hands over. */
export async function startTestBroker(): Promise<TestBroker> {
  const engine = createBroker({ allowAnonymous: true, logger: silentLogger });
  const handed: ConnectionInfo[] = [];
  return {
    handed,
    handleConnection(stream, conn) {
      handed.push(conn);
      engine.handleConnection(stream, conn);
    },
    close: () => engine.close(),
  };
}
