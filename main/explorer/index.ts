import type { ExplorerOptions } from './explorer-service';
import { ExplorerService } from './explorer-service';
import { createHandlers, type ExplorerHandlers } from './handlers';

export type { ExplorerOptions } from './explorer-service';
export type { ExplorerHandlers } from './handlers';
export type { LocalBrokerSource, LocalRetained, LocalTapEvent } from './types';
export { decodePayload } from './decoders';

export interface Explorer {
  handlers: ExplorerHandlers;
  /** The underlying service, for wiring and tests. */
  service: ExplorerService;
  close(): Promise<void>;
}

/** Creates the traffic explorer: local tap, external connections, topic trees, history, capture. */
export function createExplorer(options: ExplorerOptions): Explorer {
  const service = new ExplorerService(options);
  return { handlers: createHandlers(service), service, close: () => service.close() };
}
