import crypto from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  decodeMessage,
  encodeMessage,
  type MetricValue,
  type ProvisionMessage,
  provisionTopics,
  type WireFormat,
} from '../protocol';

/** Rejects when `promise` has not settled within `ms` (a connection that drops may leave it pending). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Connects with mqtt.js; a refused, failed or silently closed connection rejects within `timeoutMs`. */
export async function connectMqtt(
  url: string,
  options: IClientOptions,
  timeoutMs: number,
): Promise<MqttClient> {
  const client = mqtt.connect(url, { ...options, reconnectPeriod: 0, connectTimeout: timeoutMs });
  // mqtt.js emits 'error' for socket errors at any time; without a listener that would crash the device.
  client.on('error', () => {});
  let onConnect = () => {};
  let onError = (_err: Error) => {};
  let onClose = () => {};
  try {
    return await withTimeout(
      new Promise<MqttClient>((resolve, reject) => {
        onConnect = () => resolve(client);
        onError = reject;
        onClose = () => reject(new Error(`the connection to ${url} closed before CONNACK`));
        client.once('connect', onConnect);
        client.once('error', onError);
        client.once('close', onClose);
      }),
      timeoutMs,
      `connecting to ${url}`,
    );
  } catch (err) {
    client.end(true);
    throw err;
  } finally {
    client.off('connect', onConnect);
    client.off('error', onError);
    client.off('close', onClose);
  }
}

/** Closes a client without waiting forever for a dead connection. */
export async function closeMqtt(client: MqttClient, timeoutMs = 5_000): Promise<void> {
  await withTimeout(client.endAsync(), timeoutMs, 'closing the connection').catch(() => client.end(true));
}

/** A reply with a response code other than 200. */
export class ProvisioningRefused extends Error {
  override name = 'ProvisioningRefused';
  constructor(
    readonly code: number,
    readonly error: string,
    message: string,
  ) {
    super(`${code} ${error}: ${message}`);
  }
}

/** One MQTT connection to the provision broker with request/response over the device's topics. */
export class ProvisionSession {
  private readonly pending = new Map<string, (message: ProvisionMessage) => void>();
  private readonly topics: ReturnType<typeof provisionTopics>;
  private sequence = 0;

  private constructor(
    readonly client: MqttClient,
    clientId: string,
    private readonly format: WireFormat,
    private readonly timeoutMs: number,
  ) {
    this.topics = provisionTopics(clientId);
    client.on('message', (_topic, payload) => {
      try {
        const { message } = decodeMessage(payload);
        const id = message.metrics['request.id'];
        const resolve = typeof id === 'string' ? this.pending.get(id) : undefined;
        if (resolve) {
          this.pending.delete(id as string);
          resolve(message);
        }
      } catch {
        // Not a reply this agent can read; the request it belongs to times out.
      }
    });
  }

  static async open(
    url: string,
    clientId: string,
    options: IClientOptions,
    format: WireFormat,
    timeoutMs: number,
  ): Promise<ProvisionSession> {
    const client = await connectMqtt(url, { ...options, clientId, clean: true }, timeoutMs);
    const session = new ProvisionSession(client, clientId, format, timeoutMs);
    try {
      await withTimeout(client.subscribeAsync(session.topics.replies, { qos: 1 }), timeoutMs, 'subscribing');
    } catch (err) {
      client.end(true);
      throw err;
    }
    return session;
  }

  /** Sends one request and waits for its reply; a non-200 reply rejects with ProvisioningRefused. */
  async request(
    operation: 'provision' | 'stage' | 'file',
    metrics: Record<string, MetricValue>,
  ): Promise<ProvisionMessage> {
    this.sequence += 1;
    const requestId = `${Date.now().toString(36)}-${this.sequence}-${crypto.randomBytes(3).toString('hex')}`;
    const reply = new Promise<ProvisionMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        this.client.off('close', closed);
        reject(new Error(`no reply to ${operation} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      const closed = () => {
        clearTimeout(timer);
        this.pending.delete(requestId);
        reject(new Error(`the provision broker closed the connection during ${operation}`));
      };
      this.client.once('close', closed);
      this.pending.set(requestId, (message) => {
        clearTimeout(timer);
        this.client.off('close', closed);
        resolve(message);
      });
    });
    const payload = encodeMessage({ metrics: { ...metrics, 'request.id': requestId } }, this.format);
    if (!this.client.connected) {
      this.pending.delete(requestId);
      reply.catch(() => {});
      throw new Error(`the provision broker connection is closed (${operation})`);
    }
    // A publish on a connection that drops may never settle; the reply's timeout still ends the wait.
    const [, message] = await Promise.all([
      this.client.publishAsync(this.topics[operation], payload, { qos: 1 }),
      reply,
    ]);
    const code = Number(message.metrics['response.code']);
    if (code !== 200) {
      throw new ProvisioningRefused(
        code,
        String(message.metrics['response.error'] ?? 'ERROR'),
        String(message.metrics['response.message'] ?? ''),
      );
    }
    return message;
  }

  close(): Promise<void> {
    return closeMqtt(this.client);
  }
}
