export { HandshakeFailureLog } from './handshake-failure-log';
export {
  type CreateListenerInput,
  ListenerError,
  ListenerManager,
  type ListenerManagerOptions,
  type UpdateListenerInput,
} from './listener-manager';
export {
  type ListenerOptions,
  type ListenerOptionsInput,
  listenerOptionsSchema,
  parseListenerOptions,
} from './listener-options';
export { readTlsFiles } from './tls-files';
export { type AddressLimits, AddressGuard } from './address-guard';
export type { UpgradeRoute } from './websocket-upgrade';
export type {
  ConnectionInfo,
  ConnectionSink,
  HandshakeFailure,
  HandshakeFailureReason,
  ListenerKind,
  ListenerRecord,
  ListenerState,
  ListenerStatus,
  ServerCertificate,
  TlsMaterial,
  TlsMaterialProvider,
} from './types';
export type { UpgradeFallback } from './websocket-upgrade';
