import WebSocket from 'ws';
import type { MethodName, RequestOf, ResponseOf } from '../../../preload/contract';
import { API_PATH, API_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '../../../preload/contract/wire';
import type { SimulatorApi } from './provision';

/** The operator API of a running Fieldbench over its WebSocket, from `http://host:port/#token=…`. */
export class RemoteOperatorApi implements SimulatorApi {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Record<string, unknown>) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const reply = JSON.parse(data.toString()) as Record<string, unknown>;
      const resolve = typeof reply.id === 'number' ? this.pending.get(reply.id) : undefined;
      if (resolve) {
        this.pending.delete(reply.id as number);
        resolve(reply);
      }
    });
    ws.on('close', () => {
      for (const resolve of this.pending.values())
        resolve({ error: { code: 'UNAVAILABLE', message: 'API closed' } });
      this.pending.clear();
    });
  }

  static connect(address: string): Promise<RemoteOperatorApi> {
    const url = new URL(address);
    const token = new URLSearchParams(url.hash.slice(1)).get('token');
    if (!token) throw new Error('The API address needs its token: http://127.0.0.1:7333/#token=…');
    const wsUrl = `${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.host}${API_PATH}`;
    const ws = new WebSocket(wsUrl, [API_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${token}`]);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new RemoteOperatorApi(ws)));
      ws.once('error', reject);
    });
  }

  async call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>> {
    const id = this.nextId++;
    const reply = await new Promise<Record<string, unknown>>((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify({ id, method, params: request }));
    });
    if (reply.error) {
      const error = reply.error as { code: string; message: string };
      throw new Error(`${method}: ${error.code} ${error.message}`);
    }
    return reply.result as ResponseOf<M>;
  }

  close(): void {
    this.ws.close();
  }
}
