import path from 'node:path';
import mqtt from 'mqtt';
import { type Core, createCore } from '../../main/core';
import type { ErrorCode, MethodName, RequestOf, ResponseOf } from '../../preload/contract';
import { callCore } from '../helpers/core-call';
import { listenerPort } from '../helpers/mosquitto-clients';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';

/** A headless core with an anonymous MQTT listener whose messages the explorer stores (a view is open). */
export interface ExplorerCore {
  core: Core;
  dataDir: string;
  exportsDir: string;
  call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>>;
  /** Calls a method that must fail; answers its error code and message. */
  refusal<M extends MethodName>(
    method: M,
    request: RequestOf<M>,
  ): Promise<{ code: ErrorCode; message: string }>;
  /** Publishes through a real MQTT client and waits until the explorer has stored it. */
  publishStored(topic: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

export async function startExplorerCore(): Promise<ExplorerCore> {
  const dataDir = tempDir('fb-sec-');
  const core = await createCore({
    dataDir,
    mode: 'headless',
    allowAnonymous: true,
    listeners: { brokerHost: '127.0.0.1', mqttPort: 0 },
  });
  const call = <M extends MethodName>(method: M, request: RequestOf<M>) => callCore(core, method, request);
  const { viewId } = await call('explorer.view.open', { connectionId: 'local' });
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${listenerPort(core.readyDetails(), 'mqtt')}`, {
    reconnectPeriod: 0,
  });
  return {
    core,
    dataDir,
    exportsDir: path.join(dataDir, 'exports'),
    call,
    refusal: async (method, request) => {
      const outcome = await core.dispatch(method, request, { transport: 'internal', actor: 'test' });
      if (outcome.ok) throw new Error(`${method} was expected to fail but succeeded`);
      return outcome.error;
    },
    publishStored: async (topic, payload) => {
      await client.publishAsync(topic, payload, { qos: 1 });
      await waitFor(async () => {
        const h = await call('explorer.history', { connectionId: 'local', topic, limit: 10 });
        return h.messages.some((m) => Buffer.from(m.payload ?? '', 'base64').toString() === payload);
      }, `${topic} in the explorer history`);
    },
    close: async () => {
      await call('explorer.view.close', { viewId });
      await client.endAsync();
      await core.close();
    },
  };
}
