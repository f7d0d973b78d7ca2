import assert from 'node:assert/strict';
import { type Core, createCore } from '../../main/core';
import type { ErrorCode, MethodName, RequestOf, ResponseOf } from '../../preload/contract';
import { callCore } from '../helpers/core-call';
import { listenerPort } from '../helpers/mosquitto-clients';
import { tempDir } from '../helpers/temp-dir';

/** The whole core as `fieldbench serve` builds it, with a mutual-TLS listener and one level-one account. */
export interface PkiCore {
  core: Core;
  dataDir: string;
  mutualPort: number;
  accountId: string;
  accountName: string;
  call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>>;
  /** Calls a method that must fail; answers its error code and message. */
  refusal<M extends MethodName>(
    method: M,
    request: RequestOf<M>,
  ): Promise<{ code: ErrorCode; message: string }>;
  close(): Promise<void>;
}

export async function startPkiCore(accountName: string): Promise<PkiCore> {
  const dataDir = tempDir('fb-pki-core-');
  const core = await createCore({
    dataDir,
    mode: 'headless',
    listeners: { brokerHost: '127.0.0.1', mqttPort: 0, mqttsMutualPort: 0 },
  });
  const call = <M extends MethodName>(method: M, request: RequestOf<M>) => callCore(core, method, request);
  const local = (await call('services.list', {})).services.find((s) => s.kind === 'embedded');
  assert.ok(local, 'the embedded messaging service exists');
  const root = (await call('accounts.list', {})).accounts.find((a) => a.parentId === null);
  assert.ok(root, 'the root account exists');
  const account = await call('accounts.create', {
    parentId: root.id,
    name: accountName,
    serviceId: local.id,
  });
  await call('accessRules.set', {
    accountId: account.id,
    credentialId: null,
    rules: [{ filter: '#', action: 'both' }],
  });
  return {
    core,
    dataDir,
    mutualPort: listenerPort(core.readyDetails(), 'mqtts-mutual'),
    accountId: account.id,
    accountName,
    call,
    refusal: async (method, request) => {
      const outcome = await core.dispatch(method, request, { transport: 'internal', actor: 'test' });
      assert.equal(outcome.ok, false, `${method} should have been refused`);
      if (outcome.ok) throw new Error('unreachable');
      return { code: outcome.error.code, message: outcome.error.message };
    },
    close: () => core.close(),
  };
}
