import assert from 'node:assert/strict';
import type { Core } from '../../main/core';
import type { ErrorCode, MethodName, RequestOf, ResponseOf } from '../../preload/contract';
import { rootAndLocalService, startTestCore } from '../helpers/test-core';

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
  const { core, dataDir, call, port } = await startTestCore({
    listeners: { mqttPort: 0, mqttsMutualPort: 0 },
  });
  const { rootId, localServiceId } = await rootAndLocalService(call);
  const account = await call('accounts.create', {
    parentId: rootId,
    name: accountName,
    serviceId: localServiceId,
  });
  await call('accessRules.set', {
    accountId: account.id,
    credentialId: null,
    rules: [{ filter: '#', action: 'both' }],
  });
  return {
    core,
    dataDir,
    mutualPort: port('mqtts-mutual'),
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
