import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import vm from 'node:vm';
import type { Core } from '../../main/core';
import { registerIpcTransport } from '../../main/app/ipc-transport';
import type { ElectronMain, IpcMainInvokeEvent } from '../../main/app/electron-api';
import { createCore } from '../../main/core';
import { eventNames, methodNames } from '../../preload/contract';
import { REPO_ROOT } from '../helpers/cli-process';
import { tempDir } from '../helpers/temp-dir';

// The Electron binary cannot exist here, so these tests stand in for `electron` with plain objects that
// record what the app registers; everything behind them (dispatcher, core, database) is real.

test('the built preload exposes one function per method and one subscription per event, nothing generic', () => {
  const bundle = fs.readFileSync(path.join(REPO_ROOT, 'out/preload/index.js'), 'utf8');
  const exposed: Record<string, unknown> = {};
  const invoked: Array<[string, unknown]> = [];
  const sent: Array<[string, unknown]> = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
    ipcRenderer: {
      invoke: async (channel: string, request: unknown) => invoked.push([channel, request]),
      send: (channel: string, payload: unknown) => sent.push([channel, payload]),
      on: () => {},
    },
  };
  const requireShim = (name: string) => {
    if (name !== 'electron') throw new Error(`a sandboxed preload may not require ${name}`);
    return electron;
  };
  vm.runInNewContext(bundle, { require: requireShim, module: { exports: {} }, exports: {}, console });
  const api = exposed.fieldbench as { methods: Record<string, unknown>; on: Record<string, unknown> };
  assert.deepEqual(Object.keys(exposed), ['fieldbench']);
  assert.deepEqual(Object.keys(api).sort(), ['methods', 'on']);
  assert.deepEqual(Object.keys(api.methods).sort(), [...methodNames].sort());
  assert.deepEqual(Object.keys(api.on).sort(), [...eventNames].sort());
  assert.ok(Object.values(api.methods).every((f) => typeof f === 'function'));
  (api.methods['system.info'] as (r: unknown) => void)({});
  assert.deepEqual(invoked, [['system.info', {}]], 'a method call invokes exactly its own channel');
  const unsubscribe = (api.on['system.log'] as (l: () => void) => () => void)(() => {});
  unsubscribe();
  assert.deepEqual(
    sent.map(([channel]) => channel),
    ['fieldbench:subscribe', 'fieldbench:unsubscribe'],
  );
});

test('IPC handlers are registered per method and refuse calls from frames other than the app', async () => {
  const handlers = new Map<string, (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown>();
  const fakeElectron = {
    ipcMain: {
      handle: (channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown) =>
        handlers.set(channel, listener),
      on: () => {},
    },
  } as unknown as ElectronMain;
  const core: Core = await createCore({
    dataDir: tempDir(),
    mode: 'desktop',
    listeners: { brokerHost: '127.0.0.1', mqttPort: 0 },
  });
  try {
    registerIpcTransport(fakeElectron, core);
    assert.deepEqual([...handlers.keys()].sort(), [...methodNames].sort());
    const sender = { id: 1 } as IpcMainInvokeEvent['sender'];
    const fromApp = (await handlers.get('system.info')!(
      { senderFrame: { url: 'app://fieldbench/index.html' }, sender },
      {},
    )) as {
      ok: boolean;
      result: { mode: string };
    };
    assert.equal(fromApp.ok, true);
    assert.equal(fromApp.result.mode, 'desktop');
    const fromElsewhere = (await handlers.get('system.info')!(
      { senderFrame: { url: 'https://evil.example/' }, sender },
      {},
    )) as {
      ok: boolean;
      error: { code: string };
    };
    assert.equal(fromElsewhere.ok, false);
    assert.equal(fromElsewhere.error.code, 'FORBIDDEN');
    const invalid = (await handlers.get('system.logs')!(
      { senderFrame: { url: 'app://fieldbench/index.html' }, sender },
      { limit: -1 },
    )) as { ok: boolean; error: { code: string } };
    assert.equal(invalid.error.code, 'BAD_REQUEST', 'IPC requests are validated like WebSocket ones');
  } finally {
    await core.close();
  }
});
