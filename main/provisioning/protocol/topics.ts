/**
 * Provisioning topics, as the device sees them (the broker keeps them inside the provision account's
 * namespace). Kura request/response style: the device sends requests on EXEC/GET topics under its own
 * client id, carrying a `request.id`, and Fieldbench answers on REPLY/<request.id>.
 */
export const PROTOCOL_APP = 'PROV-V1';

export const provisionTopics = (clientId: string) => ({
  /** The provision message: activation key, identity, optional CSR. */
  provision: `${PROTOCOL_APP}/${clientId}/EXEC/provision`,
  /** Stage reports: CONF_UPDATING, CONF_UPDATED, APPS_INSTALLING, APPS_INSTALLED, FAILED. */
  stage: `${PROTOCOL_APP}/${clientId}/EXEC/stage`,
  /** One chunk of one attached file. */
  file: `${PROTOCOL_APP}/${clientId}/GET/file`,
  /** Where Fieldbench replies; subscribe to `replies` (the filter) before the first request. */
  reply: (requestId: string) => `${PROTOCOL_APP}/${clientId}/REPLY/${requestId}`,
  replies: `${PROTOCOL_APP}/${clientId}/REPLY/+`,
});

/** The request topics Fieldbench listens on, for every device. */
export const REQUEST_FILTER = `${PROTOCOL_APP}/+/+/+`;

/** Splits a request topic into client id and operation, or null when it is not one. */
export function parseRequestTopic(topic: string): { clientId: string; operation: string } | null {
  const parts = topic.split('/');
  if (parts.length !== 4 || parts[0] !== PROTOCOL_APP) return null;
  const [, clientId, verb, resource] = parts as [string, string, string, string];
  const operation = `${verb}/${resource}`;
  if (operation !== 'EXEC/provision' && operation !== 'EXEC/stage' && operation !== 'GET/file') return null;
  return { clientId, operation };
}
