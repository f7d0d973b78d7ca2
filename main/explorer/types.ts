/** What the explorer consumes from the embedded broker (a narrow view of `createBroker`'s result). */
export interface LocalBrokerSource {
  tap: {
    attach(observer: (e: LocalTapEvent) => void, opts?: { maxEventsPerSecond?: number }): () => void;
  };
  /** Every message the broker accepted and routed (wills, platform publishes and $SYS included). */
  routed: {
    attach(
      observer: (e: LocalRoutedMessage) => void,
      opts?: { maxMessagesPerSecond?: number },
    ): { close(): void; readonly dropped: number };
  };
  publish(
    message: {
      topic: string;
      payload: Buffer | string;
      qos?: 0 | 1 | 2;
      retain?: boolean;
      properties?: object;
    },
    opts?: { topicPrefix?: string },
  ): unknown;
  retained(filter?: string): Iterable<LocalRetained> | Promise<Iterable<LocalRetained>>;
  /** Lifecycle events; used for disconnect causes the packet tap cannot show (keepalive, socket errors …). */
  events?: {
    on(name: 'client.disconnected', listener: (e: LocalDisconnect) => void): () => void;
  };
}

export interface LocalRoutedMessage {
  time: number;
  /** Internal topic (`$a/<account>/…` for tenants). */
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
  properties?: object;
  clientId: string;
}

export interface LocalDisconnect {
  client: {
    clientId: string;
    listener: { id: string };
    remoteAddress: string;
    principal: { accountName?: string };
  };
  cause: string;
  reasonCode?: number;
}

export interface LocalTapEvent {
  time: number;
  direction: 'in' | 'out';
  clientId: string;
  listenerId: string;
  remoteAddress: string;
  accountName?: string;
  type: string;
  topic?: string;
  qos?: 0 | 1 | 2;
  retain?: boolean;
  size: number;
  reasonCode?: number;
  packetId?: number;
  payload?: Buffer;
  /** MQTT 5 publish properties, when the broker reports them. */
  properties?: object;
}

export interface LocalRetained {
  topic: string;
  qos: 0 | 1 | 2;
  payload: Buffer;
  storedAt?: number;
  properties?: object;
}

/** A message as it flows through the explorer (internal topic, i.e. `$a/<account>/...` for tenants). */
export interface FlowMessage {
  connectionId: string;
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
  time: number;
  properties?: Record<string, unknown>;
  clientId?: string;
}

/** A packet summary from the tap or an mqtt.js client, before filtering. */
export interface FlowPacket {
  time: number;
  direction: 'in' | 'out';
  clientId: string;
  account?: string;
  listenerId?: string;
  remoteAddress?: string;
  type: string;
  topic?: string;
  qos?: number;
  retain?: boolean;
  size: number;
  packetId?: number;
  reasonCode?: number;
  reasonCodes?: number[];
  filters?: string[];
  username?: string;
  /** For `closed` entries: why the broker ended the connection (keepalive, socket-error, takeover …). */
  cause?: string;
  payload?: Buffer;
  properties?: Record<string, unknown>;
}
