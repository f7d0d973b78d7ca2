import type { BrokerLimits } from './types';

export const defaultLimits: Readonly<BrokerLimits> = {
  maxKeepAlive: 0,
  receiveMaximum: 1024,
  maxPacketSize: 1024 * 1024,
  maxQueuedMessages: 1000,
  maxOutgoingBufferBytes: 4 * 1024 * 1024,
  maxInflight: 1024,
  maxTopicLength: 1024,
  maxTopicLevels: 32,
  maxSubscriptionsPerClient: 1000,
  connectTimeoutMs: 10_000,
  maxConnections: 100_000,
  sysIntervalSeconds: 10,
  topicAliasMaximum: 1024,
  maxConnectionsPerAddress: 10_000,
  maxUnauthenticatedPerAddress: 2000,
  maxPendingBytesPerAddress: 8 * 1024 * 1024,
  maxRetainedPerAccount: 10_000,
  maxPersistentSessionsPerAccount: 1000,
};

export function resolveLimits(partial: Partial<BrokerLimits> | undefined): BrokerLimits {
  return { ...defaultLimits, ...partial };
}
