import { PkiError } from './errors';
import type { BundleOptions } from './exporter';
import type { PkiHandlerDeps } from './tenancy-link';

export interface BundleTargetRequest {
  endpointId?: string | undefined;
  host?: string | undefined;
  port?: number | undefined;
}

/**
 * Where a ZIP bundle's mosquitto_pub command connects: one of the certificate's account's mqtts
 * endpoints (answered with its id, to record the device as provisioned with it), or a typed host and port.
 */
export function bundleTarget(
  cert: { accountId: string | null; commonName: string },
  req: BundleTargetRequest,
  endpointsOf: PkiHandlerDeps['endpointsOf'],
): BundleOptions & { endpointId?: string } {
  if (req.endpointId) {
    if (!cert.accountId) {
      throw new PkiError(
        'BAD_REQUEST',
        `${cert.commonName} belongs to no account, so it has no endpoints: enter host and port instead`,
      );
    }
    const endpoint = endpointsOf?.(cert.accountId).find((e) => e.id === req.endpointId);
    if (!endpoint) {
      throw new PkiError('NOT_FOUND', `Endpoint ${req.endpointId} is not one of the certificate's account's`);
    }
    if (endpoint.scheme !== 'mqtts') {
      throw new PkiError(
        'BAD_REQUEST',
        `The bundle's mosquitto_pub command needs an mqtts endpoint; ${endpoint.scheme}://${endpoint.domain}:${endpoint.port} is not one`,
      );
    }
    return { host: endpoint.domain, port: endpoint.port, endpointId: endpoint.id };
  }
  if (req.host === undefined || req.port === undefined) {
    throw new PkiError('BAD_REQUEST', 'Pick an endpoint, or enter both host and port');
  }
  return { host: req.host, port: req.port };
}
