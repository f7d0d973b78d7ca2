export { ApiError } from './api-error';
export { type Dispatch, type DispatchResult, createDispatcher } from './dispatcher';
export { EventBus } from './event-bus';
export { type EventBatch, EventOutbox } from './event-outbox';
export type { AllHandlers, CallContext, Handler, HandlersFor } from './handlers';
export { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from './content-security';
export { type HeadlessServer, type RouteHandler, startHeadlessServer } from './http-server';
export {
  loadOrCreateOperatorToken,
  OperatorToken,
  rotateOperatorToken,
  tokenMatches,
} from './operator-token';
export { RequestGuard } from './request-guard';
