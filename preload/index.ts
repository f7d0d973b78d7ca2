import { eventNames, methodNames } from './contract';
import {
  IPC_EVENTS_CHANNEL,
  IPC_SUBSCRIBE_CHANNEL,
  IPC_UNSUBSCRIBE_CHANNEL,
  type WireEventBatch,
} from './contract/wire';

// Sandboxed preload: only `electron` may be required, and only named functions cross the bridge.
interface PreloadElectron {
  contextBridge: { exposeInMainWorld(key: string, api: unknown): void };
  ipcRenderer: {
    invoke(channel: string, ...args: unknown[]): Promise<unknown>;
    send(channel: string, ...args: unknown[]): void;
    on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): void;
  };
}
const { contextBridge, ipcRenderer } = require('electron') as PreloadElectron;

type Listener = (data: unknown) => void;
const listeners = new Map<string, Set<Listener>>();

ipcRenderer.on(IPC_EVENTS_CHANNEL, (_event, batch) => {
  for (const [name, data] of (batch as WireEventBatch).events) {
    for (const listener of listeners.get(name) ?? []) listener(data);
  }
});

function subscribe(name: string, listener: Listener): () => void {
  if (typeof listener !== 'function') throw new TypeError('listener must be a function');
  let set = listeners.get(name);
  if (!set) {
    set = new Set();
    listeners.set(name, set);
    ipcRenderer.send(IPC_SUBSCRIBE_CHANNEL, [name]);
  }
  set.add(listener);
  return () => {
    set.delete(listener);
    if (set.size === 0) {
      listeners.delete(name);
      ipcRenderer.send(IPC_UNSUBSCRIBE_CHANNEL, [name]);
    }
  };
}

const methods: Record<string, (request: unknown) => Promise<unknown>> = {};
for (const name of methodNames) methods[name] = (request) => ipcRenderer.invoke(name, request);

const subscriptions: Record<string, (listener: Listener) => () => void> = {};
for (const name of eventNames) subscriptions[name] = (listener) => subscribe(name, listener);

contextBridge.exposeInMainWorld('fieldbench', { methods, on: subscriptions });
