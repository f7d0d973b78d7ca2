import type { brokerMethods } from '../../preload/contract/broker';
import type { EventBus } from '../api/event-bus';
import type { HandlersFor } from '../api/handlers';
import type { Broker } from './create-broker';

/** Operator-API handlers of the Broker page. */
export function createBrokerHandlers(broker: Broker): HandlersFor<keyof typeof brokerMethods> {
  return {
    'broker.listClients': (req) => {
      const all = broker
        .clients()
        .filter((c) => req.accountId === undefined || c.principal.accountId === req.accountId);
      return { clients: all.slice(0, req.limit), total: all.length };
    },
    'broker.disconnectClient': (req) => ({
      disconnected: broker.disconnectClient(req.clientId, req.reasonCode, req.reasonString, req.topicPrefix),
    }),
    'broker.stats': () => broker.stats(),
    'broker.listSessions': (req) => {
      const all = broker
        .sessions()
        .filter((s) => req.accountId === undefined || s.accountId === req.accountId);
      return { sessions: all.slice(0, req.limit), total: all.length };
    },
    'broker.listRetained': (req) => {
      const all = broker.retained(req.filter);
      const messages = all.slice(0, req.limit).map((m) => ({
        topic: m.topic,
        qos: m.qos,
        size: m.size,
        storedAt: m.storedAt,
        payloadPreview: m.payload.subarray(0, req.previewBytes).toString('base64'),
        truncated: m.size > req.previewBytes,
        ...(m.properties?.contentType === undefined ? {} : { contentType: m.properties.contentType }),
      }));
      return { messages, total: all.length };
    },
    'broker.clearRetained': async (req) => {
      const cleared = broker.retained(req.topic).length > 0;
      if (cleared) await broker.publish({ topic: req.topic, payload: Buffer.alloc(0), retain: true });
      return { cleared };
    },
  };
}

/**
 * Pushes `broker.stats` about once a second and `broker.clients` on every connect/disconnect.
 * Returns a function that stops both.
 */
export function startBrokerEvents(broker: Broker, bus: EventBus, intervalMs = 1000): () => void {
  const timer = setInterval(() => {
    if (bus.hasListeners) bus.emit('broker.stats', broker.stats());
  }, intervalMs);
  timer.unref();
  const offConnected = broker.events.on('client.connected', (e) => {
    if (!bus.hasListeners) return;
    bus.emit('broker.clients', {
      change: 'connected',
      clientId: e.client.clientId,
      accountId: e.client.principal.accountId,
      listenerId: e.client.listener.id,
      remoteAddress: e.client.remoteAddress,
      time: Date.now(),
    });
  });
  const offDisconnected = broker.events.on('client.disconnected', (e) => {
    if (!bus.hasListeners) return;
    bus.emit('broker.clients', {
      change: 'disconnected',
      clientId: e.client.clientId,
      accountId: e.client.principal.accountId,
      listenerId: e.client.listener.id,
      remoteAddress: e.client.remoteAddress,
      cause: e.cause,
      ...(e.reasonCode === undefined ? {} : { reasonCode: e.reasonCode }),
      time: Date.now(),
    });
  });
  return () => {
    clearInterval(timer);
    offConnected();
    offDisconnected();
  };
}
