import WebSocket from 'ws';
import type { MethodName, RequestOf, ResponseOf } from '../../preload/contract';
import { API_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '../../preload/contract/wire';

/** A minimal Node client of the operator API WebSocket, for tests. */
export class TestApiClient {
  private nextId = 1;
  private readonly pending = new Map<number, (message: Record<string, unknown>) => void>();
  readonly events: Array<[string, unknown]> = [];
  readonly raw: Array<Record<string, unknown>> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Record<string, unknown>;
      this.raw.push(message);
      if (Array.isArray(message.events)) {
        this.events.push(...(message.events as Array<[string, unknown]>));
        return;
      }
      const resolve = this.pending.get(message.id as number);
      if (resolve) {
        this.pending.delete(message.id as number);
        resolve(message);
      }
    });
  }

  static connect(baseUrl: string, token: string): Promise<TestApiClient> {
    const url = `${baseUrl.replace(/^http/, 'ws').replace(/\/$/, '')}/api`;
    const ws = new WebSocket(url, [API_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${token}`]);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TestApiClient(ws)));
      ws.once('error', reject);
    });
  }

  /** Sends anything (including malformed requests) and returns the raw reply. */
  request(method: string, params?: unknown): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  async call<M extends MethodName>(method: M, params: RequestOf<M>): Promise<ResponseOf<M>> {
    const reply = await this.request(method, params);
    if (reply.error)
      throw Object.assign(new Error((reply.error as { message: string }).message), reply.error);
    return reply.result as ResponseOf<M>;
  }

  close(): void {
    this.ws.close();
  }
}

/** The id of the account called `name` (which must exist). */
export async function accountIdByName(api: TestApiClient, name: string): Promise<string> {
  const account = (await api.call('accounts.list', {})).accounts.find((a) => a.name === name);
  if (!account) throw new Error(`no account named ${name}`);
  return account.id;
}
