import type { CallContext } from '../api/handlers';

/** Writes operator changes to the audit log (tenancy's `AuditLog`); details must hold no secrets. */
export interface AuditRecorder {
  record(call: CallContext, action: string, target: string | null, details?: unknown): void;
}

export interface BundleEndpoint {
  id: string;
  scheme: string;
  domain: string;
  port: number;
  secure: boolean;
}

/** What the PKI's operator handlers use of tenancy, injected by the core. */
export interface PkiHandlerDeps {
  audit?: AuditRecorder;
  /** The endpoints an account's devices use (its own or its nearest ancestor's). */
  endpointsOf?: (accountId: string) => BundleEndpoint[];
  /** Records the endpoint a device was provisioned with. */
  markProvisioned?: (accountId: string, clientId: string, endpointId: string) => void;
}

/** The slice of tenancy the PKI handlers need; `Tenancy` satisfies it structurally (no import cycle). */
export interface TenancyForPki {
  audit: AuditRecorder;
  accounts: { row(id: string): { id: string } | undefined };
  endpoints: { effective(accountId: string): { endpoints: BundleEndpoint[] } };
  devices: { markProvisioned(account: { id: string }, clientId: string, endpointId: string | null): void };
}

export function pkiHandlerDepsFrom(tenancy: TenancyForPki): PkiHandlerDeps {
  return {
    audit: tenancy.audit,
    endpointsOf: (accountId) =>
      tenancy.accounts.row(accountId) ? tenancy.endpoints.effective(accountId).endpoints : [],
    markProvisioned: (accountId, clientId, endpointId) => {
      const account = tenancy.accounts.row(accountId);
      if (account) tenancy.devices.markProvisioned(account, clientId, endpointId);
    },
  };
}
