import type { z } from 'zod';
import { brokerEvents, brokerMethods } from './broker';
import type { EventSpec, MethodSpec } from './define';
import { explorerEvents, explorerMethods } from './explorer';
import { gatewaysEvents, gatewaysMethods } from './gateways';
import { listenerEvents, listenerMethods } from './listeners';
import { onboardingEvents, onboardingMethods } from './onboarding';
import { pkiEvents, pkiMethods } from './pki';
import { secretsMethods } from './secrets';
import { resourceMethods } from './resources';
import { provisioningEvents, provisioningMethods } from './provisioning';
import { serialEvents, serialMethods } from './serial';
import { systemEvents, systemMethods } from './system';
import { tenancyEvents, tenancyMethods } from './tenancy';

export { type ApiErrorShape, apiErrorSchema, type ErrorCode, errorCodes } from './errors';
export type { EventSpec, MethodSpec } from './define';

/** Every operator-API method, served identically over Electron IPC and the headless WebSocket. */
export const methods = {
  ...systemMethods,
  ...brokerMethods,
  ...listenerMethods,
  ...tenancyMethods,
  ...pkiMethods,
  ...explorerMethods,
  ...secretsMethods,
  ...gatewaysMethods,
  ...resourceMethods,
  ...provisioningMethods,
  ...onboardingMethods,
  ...serialMethods,
} satisfies Record<string, MethodSpec>;

/** Every pushed event. */
export const events = {
  ...systemEvents,
  ...brokerEvents,
  ...listenerEvents,
  ...tenancyEvents,
  ...pkiEvents,
  ...explorerEvents,
  ...gatewaysEvents,
  ...provisioningEvents,
  ...onboardingEvents,
  ...serialEvents,
} satisfies Record<string, EventSpec>;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type RequestOf<M extends MethodName> = z.input<Methods[M]['request']>;
export type ParsedRequestOf<M extends MethodName> = z.output<Methods[M]['request']>;
export type ResponseOf<M extends MethodName> = z.output<Methods[M]['response']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventDataOf<E extends EventName> = z.output<Events[E]['data']>;

export const methodNames = Object.keys(methods) as MethodName[];
export const eventNames = Object.keys(events) as EventName[];

/** The API the renderer sees, whichever transport carries it. */
export interface OperatorApi {
  call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>>;
  on<E extends EventName>(event: E, listener: (data: EventDataOf<E>) => void): () => void;
}
