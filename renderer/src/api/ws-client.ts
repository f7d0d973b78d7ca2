import type { EventName, MethodName, OperatorApi } from '../../../preload/contract';
import {
  API_PATH,
  API_SUBPROTOCOL,
  CLOSE_UNAUTHORIZED,
  SUBSCRIBE_METHOD,
  TOKEN_SUBPROTOCOL_PREFIX,
  UNSUBSCRIBE_METHOD,
  type WireEventBatch,
  type WireResponse,
} from '../../../preload/contract/wire';
import { ApiCallError } from './api-call-error';

export type ConnectionStatus = 'connecting' | 'open' | 'closed' | 'unauthorized';

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

const RECONNECT_DELAY_MS = 1000;

/** The browser transport: one WebSocket, request ids, event subscriptions restored on reconnect. */
export function createWsClient(
  token: string,
  onStatus: (status: ConnectionStatus, dropped: number) => void,
): OperatorApi {
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(data: unknown) => void>>();
  let nextId = 1;
  let socket: WebSocket | undefined;
  let opened: Promise<WebSocket> | undefined;
  let unauthorized = false;
  let dropped = 0;

  function connect(): Promise<WebSocket> {
    if (opened) return opened;
    opened = new Promise<WebSocket>((resolve, reject) => {
      const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${API_PATH}`;
      const ws = new WebSocket(url, [API_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${token}`]);
      onStatus('connecting', dropped);
      ws.onopen = () => {
        socket = ws;
        onStatus('open', dropped);
        if (listeners.size > 0) send(SUBSCRIBE_METHOD, { events: [...listeners.keys()] }).catch(() => {});
        resolve(ws);
      };
      ws.onmessage = (message) => handleMessage(JSON.parse(String(message.data)));
      ws.onclose = (event) => {
        socket = undefined;
        opened = undefined;
        for (const p of pending.values()) p.reject(new Error('Connection to Fieldbench lost'));
        pending.clear();
        if (event.code === CLOSE_UNAUTHORIZED) {
          unauthorized = true;
          onStatus('unauthorized', dropped);
          reject(new ApiCallError({ code: 'UNAUTHORIZED', message: 'The operator token was refused.' }));
          return;
        }
        onStatus('closed', dropped);
        reject(new Error('Connection to Fieldbench closed'));
        setTimeout(() => {
          if (!unauthorized) connect().catch(() => {});
        }, RECONNECT_DELAY_MS);
      };
    });
    return opened;
  }

  function handleMessage(message: WireResponse | WireEventBatch): void {
    if ('events' in message) {
      if (message.dropped !== dropped) {
        dropped = message.dropped;
        onStatus('open', dropped);
      }
      for (const [name, data] of message.events) for (const l of listeners.get(name) ?? []) l(data);
      return;
    }
    if (message.id === null) return;
    const p = pending.get(message.id);
    if (!p) return;
    pending.delete(message.id);
    if ('error' in message) p.reject(new ApiCallError(message.error));
    else p.resolve(message.result);
  }

  async function send(method: string, params: unknown): Promise<unknown> {
    const ws = await connect();
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  }

  connect().catch(() => {});

  return {
    call: (method: MethodName, request: unknown) => send(method, request) as never,
    on(event: EventName, listener: (data: never) => void) {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
        if (socket) send(SUBSCRIBE_METHOD, { events: [event] }).catch(() => {});
      }
      set.add(listener as (data: unknown) => void);
      return () => {
        set.delete(listener as (data: unknown) => void);
        if (set.size === 0) {
          listeners.delete(event);
          if (socket) send(UNSUBSCRIBE_METHOD, { events: [event] }).catch(() => {});
        }
      };
    },
  };
}
