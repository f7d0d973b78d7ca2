/**
 * The slice of Electron's API that Fieldbench uses, typed here because the `electron` package is an optional
 * dependency (its types are absent when its binary could not be installed). Only `main/app` requires it.
 */
export interface IpcMainInvokeEvent {
  senderFrame: { url: string } | null;
  sender: WebContents;
}

export interface WebContents {
  id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  on(
    event: 'will-navigate' | 'will-redirect',
    listener: (event: { preventDefault(): void }, url: string) => void,
  ): void;
  on(event: 'destroyed', listener: () => void): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  session: Session;
}

export interface Session {
  setPermissionRequestHandler(
    handler: (wc: WebContents, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(handler: () => boolean): void;
}

export interface BrowserWindow {
  webContents: WebContents;
  loadURL(url: string): Promise<void>;
  once(event: 'ready-to-show', listener: () => void): void;
  show(): void;
}

export interface ElectronMain {
  app: {
    whenReady(): Promise<void>;
    getPath(name: 'userData'): string;
    on(
      event: 'window-all-closed' | 'before-quit' | 'activate',
      listener: (event: { preventDefault(): void }) => void,
    ): void;
    on(event: 'web-contents-created', listener: (event: unknown, contents: WebContents) => void): void;
    quit(): void;
    exit(code?: number): void;
    requestSingleInstanceLock(): boolean;
    commandLine: { appendSwitch(name: string, value?: string): void };
  };
  BrowserWindow: new (options: object) => BrowserWindow;
  ipcMain: {
    handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
    on(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => void): void;
  };
  protocol: {
    registerSchemesAsPrivileged(
      schemes: Array<{ scheme: string; privileges: Record<string, boolean> }>,
    ): void;
    handle(scheme: string, handler: (request: { url: string }) => Response | Promise<Response>): void;
  };
  dialog: {
    showOpenDialog(options: {
      title?: string;
      buttonLabel?: string;
      properties: Array<'openDirectory' | 'createDirectory'>;
    }): Promise<{ canceled: boolean; filePaths: string[] }>;
  };
  safeStorage: {
    isEncryptionAvailable(): boolean;
    encryptString(plain: string): Buffer;
    decryptString(encrypted: Buffer): string;
    /** Linux only: 'basic_text' means a fixed, well-known password (no keyring). */
    getSelectedStorageBackend?(): string;
  };
}

export function loadElectron(): ElectronMain {
  // Required at run time because electron is optional and absent where its binary could not be installed.
  return require('electron') as ElectronMain;
}
