import { startHeadlessServer } from '../api';
import { type Core, createCore, loadConfigFile, resolveDataDir } from '../core';
import type { CliOptions } from './options';
import { findRendererDir } from './renderer-dir';

const SHUTDOWN_DEADLINE_MS = 2000;

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** Off loopback the UI (and its token) would cross the network in clear text, so it is served over HTTPS. */
export function uiNeedsHttps(options: Pick<CliOptions, 'host' | 'https'>): boolean {
  return options.https || !isLoopback(options.host);
}

/** Runs the core with the browser UI; resolves once the ready line is printed. */
export async function runHeadless(options: CliOptions): Promise<{ core: Core; stop(): Promise<void> }> {
  const config = options.configFile ? loadConfigFile(options.configFile) : undefined;
  const dataDir = resolveDataDir(options.dataDir);
  const core = await createCore({
    dataDir,
    mode: 'headless',
    logLevel: options.logLevel,
    consoleLevel: options.logLevel === 'info' ? 'warn' : options.logLevel,
    config,
    allowAnonymous: options.allowAnonymous || config?.allowAnonymous,
    listeners: options,
  });
  const token = core.operatorToken;
  const secure = uiNeedsHttps(options);
  let server: Awaited<ReturnType<typeof startHeadlessServer>>;
  try {
    const tls = secure ? await core.uiTls(options.host) : undefined;
    server = await startHeadlessServer({
      host: options.host,
      port: options.httpPort,
      rendererDir: findRendererDir(),
      token: () => token.current(),
      ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
      dispatch: core.dispatch,
      events: core.events,
      logger: core.logger.child({ module: 'http' }),
      routes: core.routes,
    });
  } catch (err) {
    await core.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new Error(
        `Port ${options.httpPort} on ${options.host} is already in use; pick another with --http-port (0 = any free port).`,
      );
    }
    throw err;
  }
  core.addDropCounter(() => server.ws.droppedEvents());
  core.listeners.setUiOrigins(uiOrigins(server.origin, server.port, secure));
  token.onChange(() => server.ws.endStaleSessions());
  if (!isLoopback(options.host)) {
    console.warn(
      `Warning: the operator UI listens on ${options.host}, reachable from the network (HTTPS with a certificate ` +
        "from Fieldbench's CA, protected by the token).",
    );
  }
  if (options.allowAnonymous || config?.allowAnonymous) {
    console.warn(
      'Warning: anonymous device access is ON (--allow-anonymous); any client can connect to the broker.',
    );
  }
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await server.close();
      await core.close();
    })();
    return stopping;
  };
  // Signals are handled before the ready line, so whoever reacts to it can stop us cleanly at once.
  stopOnSignals(stop);
  const extras = core.readyDetails();
  console.log(
    `Fieldbench ready — open ${server.url}#token=${token.current()}${extras.length ? ` (${extras.join(', ')})` : ''}`,
  );
  return { core, stop };
}

/** The UI's origin as a browser may spell it: its shown address, and `localhost` for loopback. */
function uiOrigins(origin: string, port: number, secure: boolean): string[] {
  const scheme = secure ? 'https' : 'http';
  return [origin, `${scheme}://localhost:${port}`, `${scheme}://127.0.0.1:${port}`];
}

/** Stops cleanly on SIGINT/SIGTERM, and gives up after two seconds so a stuck close never hangs the terminal. */
export function stopOnSignals(stop: () => Promise<void>): void {
  const onSignal = () => {
    const deadline = setTimeout(() => {
      console.error(`Shutdown took longer than ${SHUTDOWN_DEADLINE_MS} ms; exiting.`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    stop().then(
      () => process.exit(0),
      (err) => {
        console.error(`Error during shutdown: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}
