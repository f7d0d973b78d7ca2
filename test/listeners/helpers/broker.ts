import type { Duplex } from 'node:stream';
import pino from 'pino';
import type { ConnectionInfo, ConnectionSink } from '../../../main/broker/listeners';

export const silentLogger = pino({ level: 'silent' });

export interface TestBroker extends ConnectionSink {
  /** Every connection the listeners handed over, newest last. */
  readonly handed: ConnectionInfo[];
  close(): Promise<void>;
}

interface EngineLike {
  handleConnection(stream: Duplex, conn: ConnectionInfo): void;
  close(): Promise<void> | void;
}

/** The real Fieldbench broker engine (anonymous allowed), wrapped to record what each listener hands over. */
export async function startTestBroker(): Promise<TestBroker> {
  const engine = await createEngine();
  const handed: ConnectionInfo[] = [];
  return {
    handed,
    handleConnection(stream, conn) {
      handed.push(conn);
      engine.handleConnection(stream, conn);
    },
    close: async () => {
      await engine.close();
    },
  };
}

async function createEngine(): Promise<EngineLike> {
  const modulePath = '../../../main/broker/index';
  try {
    const mod = (await import(modulePath)) as {
      createBroker(o: {
        allowAnonymous: boolean;
        logger: typeof silentLogger;
      }): EngineLike | Promise<EngineLike>;
    };
    return await mod.createBroker({ allowAnonymous: true, logger: silentLogger });
  } catch (err) {
    if (
      (err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND' &&
      !/Cannot find module/.test(String(err))
    ) {
      throw err;
    }
    // Stand-in until the engine lands.
    const { Aedes } = await import('aedes');
    const aedes = await Aedes.createBroker();
    return {
      handleConnection: (stream) => aedes.handle(stream as never),
      close: () => new Promise<void>((resolve) => aedes.close(() => resolve())),
    };
  }
}
