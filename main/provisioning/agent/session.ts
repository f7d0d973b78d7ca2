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
    const client = await mqtt.connectAsync(url, {
      ...options,
      clientId,
      reconnectPeriod: 0,
      connectTimeout: timeoutMs,
      clean: true,
    });
    const session = new ProvisionSession(client, clientId, format, timeoutMs);
    try {
      await client.subscribeAsync(session.topics.replies, { qos: 1 });
    } catch (err) {
      await client.endAsync(true);
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
    return this.client.endAsync().then(() => undefined);
  }
}
