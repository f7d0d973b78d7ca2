import type { ProvisionStep, provisioningMethods } from '../../preload/contract/provisioning';
import type { CallContext, HandlersFor } from '../api/handlers';
import { type ProvisionBundle, bundleToProperties } from './agent/bundle';
import type { RequestRow } from './repository';
import type { ProvisionRequests } from './requests';

export interface ProvisioningHandlerDeps {
  requests: ProvisionRequests;
  timeline: (id: string) => ProvisionStep[];
  info: () => {
    provisionAccountId: string;
    provisionAccountName: string;
    brokerUrls: { url: string; secure: boolean }[];
  };
  audit: (call: CallContext, action: string, target: string | null, details?: unknown) => void;
}

const target = (row: RequestRow) => `provision:${row.client_id}`;

/** Operator-API handlers; every change goes to the audit log (secrets are never in the details). */
export function createProvisioningHandlers(
  d: ProvisioningHandlerDeps,
): HandlersFor<keyof typeof provisioningMethods> {
  const { requests } = d;
  return {
    'provisioning.info': () => d.info(),
    'provisioning.list': () => ({ requests: requests.list() }),
    'provisioning.get': (req) => ({
      request: requests.toDto(requests.require(req.id)),
      timeline: d.timeline(req.id),
    }),
    'provisioning.create': async (req, call) => {
      const { row, activationKey } = await requests.create(req);
      d.audit(call, 'provisioning.create', target(row), {
        id: row.id,
        targetAccountId: row.target_account_id,
        clientId: row.client_id,
        username: row.username,
        activatesAt: row.activates_at,
        expiresAt: row.expires_at,
        retryMaxAttempts: row.retry_max_attempts,
        overwrite: req.overwrite,
        attachments: req.attachments.map((a) => ({ kind: a.kind, name: a.name })),
      });
      return { request: requests.toDto(row), activationKey };
    },
    'provisioning.setEnabled': (req, call) => {
      const row = requests.setEnabled(req.id, req.enabled);
      d.audit(call, req.enabled ? 'provisioning.enable' : 'provisioning.disable', target(row), {
        id: row.id,
      });
      return requests.toDto(row);
    },
    'provisioning.retry': (req, call) => {
      const row = requests.retry(req.id);
      d.audit(call, 'provisioning.retry', target(row), { id: row.id });
      return requests.toDto(row);
    },
    'provisioning.delete': (req, call) => {
      const row = requests.delete(req.id);
      d.audit(call, 'provisioning.delete', target(row), { id: row.id });
      return { ok: true as const };
    },
    'provisioning.exportBundle': (req) => {
      const row = requests.require(req.id);
      const info = d.info();
      const preferred =
        info.brokerUrls.find((u) => u.secure === (row.secure_url === 1)) ?? info.brokerUrls[0];
      const settings: ProvisionBundle = {
        enabled: row.status !== 'COMPLETED',
        provisioned: row.status === 'COMPLETED',
        'ca-authentication': row.secure_url === 1,
        'broker-url': req.provisionBrokerUrl ?? preferred?.url ?? 'mqtts://<provision-broker>:8883',
        'account-name': info.provisionAccountName,
        username: row.username,
        password: req.password ?? '<provision password>',
        'activation-key': row.activation_key_sha256 ? (req.activationKey ?? '<activation key>') : '',
        'client-id': row.client_id,
        timeout: 30,
        'retry-interval': 10,
        'retry-max-attempts': row.retry_max_attempts,
      };
      return {
        settings,
        json: `${JSON.stringify(settings, null, 2)}\n`,
        properties: bundleToProperties(settings, `Fieldbench provision bundle for ${row.client_id}`),
      };
    },
  };
}
