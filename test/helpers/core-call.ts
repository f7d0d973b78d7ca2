import type { Core } from '../../main/core';
import type { MethodName, RequestOf, ResponseOf } from '../../preload/contract';

/** Calls an API method on an in-process core as the internal actor `test`; throws on an error outcome. */
export async function callCore<M extends MethodName>(
  core: Core,
  method: M,
  request: RequestOf<M>,
): Promise<ResponseOf<M>> {
  const outcome = await core.dispatch(method, request, { transport: 'internal', actor: 'test' });
  if (!outcome.ok) throw new Error(`${method}: ${outcome.error.code} ${outcome.error.message}`);
  return outcome.result as ResponseOf<M>;
}
