export { createBrokerHandlers, startBrokerEvents } from './api-handlers';
export { type Broker, createBroker } from './create-broker';
export { createDefaultHooks, filterCovers, filtersIntersect } from './default-hooks';
export type { BrokerEvents } from './events';
export type {
  AuthenticateResult,
  AuthorizeResult,
  BrokerHooks,
  ClientRef,
  ConnectContext,
  ConnectProperties,
  ConnectWill,
  DeliveryMessage,
  InterceptResult,
  ListenerInfo,
  ListenerKind,
  Principal,
  PublishInterceptor,
  SubscribeAuthorization,
} from './hooks';
export { defaultLimits } from './limits';
export { isValidTopicFilter, isValidTopicName, NAMESPACE_ROOT, topicMatches } from './topics';
export type * from './types';
