import type { Logger } from 'pino';
import type { EventBus } from '../api/event-bus';
import type { Broker, ClientRef } from '../broker';
import type { DeviceAuthenticator } from './auth';
import type { LiveRegistry } from './live';
import type { GatewayRepository } from './repository';
import type { TelemetryHistory } from './telemetry';

/** The part of the broker this capability uses (bound after the broker exists). */
export type BrokerPort = Pick<Broker, 'publish' | 'disconnectWhere' | 'intercept' | 'events'>;

/** What the runtime pieces (access, control, messaging) share. */
export interface RuntimeContext {
  repo: GatewayRepository;
  live: LiveRegistry;
  telemetry: TelemetryHistory;
  auth: DeviceAuthenticator;
  logger: Logger;
  events?: EventBus;
  now: () => number;
  broker(): BrokerPort | undefined;
  /**
   * Config acknowledgements are read from the broker's per-delivery event, which costs every
   * delivery something; it is watched only for a while after a config is sent or subscribed.
   */
  watchConfigAcks(): void;
  /** A device's live view changed (batched into `gateways.activity`). */
  touched(key: string): void;
}

/** Closes one connection (by identity, so a newer connection with the same client id stays). */
export function closeClient(ctx: RuntimeContext, ref: ClientRef, reasonCode: number, reason: string): void {
  ctx.logger.info({ clientId: ref.clientId, reason }, `closing gateway connection: ${reason}`);
  ctx.broker()?.disconnectWhere((c) => c === ref, reasonCode, reason);
}
