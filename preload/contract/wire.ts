import type { ApiErrorShape } from './errors';

/** WebSocket framing of the operator API used by the headless transport. */
export const API_PATH = '/api';
export const API_SUBPROTOCOL = 'fieldbench.v1';
/** The token travels as a second subprotocol, `token.<token>`, because browsers cannot set headers on WebSockets. */
export const TOKEN_SUBPROTOCOL_PREFIX = 'token.';
/** Close code for a refused token (4000–4999 are application-defined). */
export const CLOSE_UNAUTHORIZED = 4401;

export interface WireRequest {
  id: number;
  method: string;
  params?: unknown;
}

export type WireResponse =
  | { id: number | null; result: unknown }
  | { id: number | null; error: ApiErrorShape };

export interface WireEventBatch {
  events: Array<[string, unknown]>;
  dropped: number;
}

/** Control methods, handled by the transport itself rather than the dispatcher. */
export const SUBSCRIBE_METHOD = '$subscribe';
export const UNSUBSCRIBE_METHOD = '$unsubscribe';

/** IPC channel names of the Electron transport. */
export const IPC_EVENTS_CHANNEL = 'fieldbench:events';
export const IPC_SUBSCRIBE_CHANNEL = 'fieldbench:subscribe';
export const IPC_UNSUBSCRIBE_CHANNEL = 'fieldbench:unsubscribe';
