import type { OperatorApi } from '../../../preload/contract';

let current: OperatorApi | undefined;

/** Set once at start-up with the transport in use (IPC in the desktop window, WebSocket in a browser). */
export function setApi(api: OperatorApi): void {
  current = api;
}

export function api(): OperatorApi {
  if (!current) throw new Error('Operator API used before start-up');
  return current;
}
