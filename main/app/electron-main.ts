import path from 'node:path';
import pino from 'pino';
import { type Dispatch, EventBus } from '../api';
import { parseCli } from '../cli/options';
import { type Core, createCore, loadConfigFile, resolveDataDir } from '../core';
import { createUnlockGate, hasPassphraseKey, type KeyProtector } from '../secrets';
import { registerAppScheme, serveAppScheme } from './app-protocol';
import { loadElectron } from './electron-api';
import { registerIpcTransport } from './ipc-transport';
import { createSafeStorageKeyProtector } from './safe-storage-protector';
import { APP_ORIGIN, isTrustedAppUrl, secureWindowOptions } from './window-options';

// The desktop entry point: a thin shell around the same core the headless mode runs.
const electron = loadElectron();
const { app, BrowserWindow } = electron;

if (!app.requestSingleInstanceLock()) app.exit(0);
registerAppScheme(electron);

app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  const blockForeign = (event: { preventDefault(): void }, url: string) => {
    if (!isTrustedAppUrl(url)) event.preventDefault();
  };
  contents.on('will-navigate', blockForeign);
  contents.on('will-redirect', blockForeign);
  contents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  contents.session.setPermissionCheckHandler(() => false);
});

let core: Core | undefined;

async function start(): Promise<void> {
  await app.whenReady();
  // The same flags as headless mode (argv: electron, app dir, then ours); Electron's userData is the default home.
  const options = parseCli(process.argv.slice(2));
  const dataDir = options.dataDir ? resolveDataDir(options.dataDir) : app.getPath('userData');
  const config = options.configFile ? loadConfigFile(options.configFile) : undefined;
  const events = new EventBus();
  const startCore = async (keyProtector: KeyProtector) => {
    core = await createCore({
      dataDir,
      mode: 'desktop',
      logLevel: options.logLevel,
      consoleLevel: 'warn',
      config,
      allowAnonymous: options.allowAnonymous || config?.allowAnonymous,
      listeners: options,
      keyProtector,
      events,
      chooseExportFolder: async () => {
        const picked = await electron.dialog.showOpenDialog({
          title: 'Folder for captures and exports',
          buttonLabel: 'Use this folder',
          properties: ['openDirectory', 'createDirectory'],
        });
        return picked.canceled ? null : (picked.filePaths[0] ?? null);
      },
    });
    for (const counter of dropCounters) core.addDropCounter(counter);
    dispatch = core.dispatch;
  };
  // Keys sealed with an operator passphrase: the window opens on an unlock screen (main/secrets/unlock-gate.ts).
  const bootLogger = pino({ level: 'warn' });
  const dropCounters: Array<() => number> = [];
  let dispatch: Dispatch = createUnlockGate(dataDir, bootLogger, async (protector) => {
    await startCore(protector);
    return { protection: 'passphrase', fixedPassword: false, canSetPassphrase: true, locked: false };
  });
  const locked = hasPassphraseKey(dataDir);
  if (!locked) await startCore(createSafeStorageKeyProtector(electron, dataDir));
  serveAppScheme(electron, path.join(__dirname, '../renderer'));
  registerIpcTransport(electron, {
    dispatch: (method, request, ctx) => dispatch(method, request, ctx),
    events,
    get logger() {
      return core?.logger ?? bootLogger;
    },
    addDropCounter: (counter) => {
      dropCounters.push(counter);
      core?.addDropCounter(counter);
    },
  });
  const window = new BrowserWindow(secureWindowOptions(path.join(__dirname, '../preload/index.js')));
  window.once('ready-to-show', () => window.show());
  await window.loadURL(`${APP_ORIGIN}/index.html`);
}

app.on('window-all-closed', () => app.quit());
let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !core) return;
  event.preventDefault();
  quitting = true;
  core.close().finally(() => app.quit());
});

start().catch((err) => {
  console.error('Fieldbench failed to start:', err);
  app.exit(1);
});
