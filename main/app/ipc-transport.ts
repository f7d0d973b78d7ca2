import { type EventName, eventNames, methodNames } from '../../preload/contract';
import {
  IPC_EVENTS_CHANNEL,
  IPC_SUBSCRIBE_CHANNEL,
  IPC_UNSUBSCRIBE_CHANNEL,
} from '../../preload/contract/wire';
import { EventOutbox } from '../api';
import type { Core } from '../core';
import type { ElectronMain, WebContents } from './electron-api';
import { isTrustedAppUrl } from './window-options';

function validEventNames(value: unknown): EventName[] {
  return Array.isArray(value)
    ? value.filter((n): n is EventName => (eventNames as unknown[]).includes(n))
    : [];
}

/** What the transport serves: the core, or (at a locked start) the unlock gate in front of it. */
export type IpcTarget = Pick<Core, 'dispatch' | 'events' | 'logger' | 'addDropCounter'>;

/** One `ipcMain.handle` per contract method; every call checks that it comes from our own page. */
export function registerIpcTransport(electron: ElectronMain, core: IpcTarget): void {
  const { ipcMain } = electron;
  for (const method of methodNames) {
    ipcMain.handle(method, (event, request) => {
      if (!isTrustedAppUrl(event.senderFrame?.url)) {
        core.logger.warn({ method, url: event.senderFrame?.url }, 'IPC call from an untrusted frame refused');
        return { ok: false, error: { code: 'FORBIDDEN', message: 'Caller is not the Fieldbench UI.' } };
      }
      return core.dispatch(method, request, { transport: 'ipc', actor: 'desktop-operator' });
    });
  }

  const outboxes = new Map<number, EventOutbox>();
  const outboxFor = (contents: WebContents): EventOutbox => {
    let outbox = outboxes.get(contents.id);
    if (!outbox) {
      const created = new EventOutbox({
        send: (batch) => {
          if (!contents.isDestroyed()) contents.send(IPC_EVENTS_CHANNEL, batch);
        },
        writable: () => !contents.isDestroyed(),
      });
      const unsubscribe = core.events.subscribe((name, data) => created.push(name, data));
      contents.on('destroyed', () => {
        unsubscribe();
        created.close();
        outboxes.delete(contents.id);
      });
      outboxes.set(contents.id, created);
      outbox = created;
    }
    return outbox;
  };
  core.addDropCounter(() => [...outboxes.values()].reduce((sum, o) => sum + o.dropped, 0));

  ipcMain.on(IPC_SUBSCRIBE_CHANNEL, (event, names) => {
    if (isTrustedAppUrl(event.senderFrame?.url)) outboxFor(event.sender).subscribe(validEventNames(names));
  });
  ipcMain.on(IPC_UNSUBSCRIBE_CHANNEL, (event, names) => {
    if (isTrustedAppUrl(event.senderFrame?.url))
      outboxes.get(event.sender.id)?.unsubscribe(validEventNames(names));
  });
}
