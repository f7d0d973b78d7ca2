import type { tenancyMethods } from '../../preload/contract/tenancy';
import type { HandlersFor } from '../api/handlers';
import type { AccessRuleService } from './access-rules';
import type { AccountService } from './accounts';
import type { ApiKeyService } from './api-keys';
import type { AuditLog } from './audit';
import type { CredentialService } from './credentials';
import type { DeviceRow, DeviceService } from './devices';
import type { EndpointService, RunningListener } from './endpoints';
import { checkReachability } from './reachability';
import type { ServiceRegistry } from './services';

export interface HandlerDeps {
  accounts: AccountService;
  services: ServiceRegistry;
  endpoints: EndpointService;
  credentials: CredentialService;
  accessRules: AccessRuleService;
  apiKeys: ApiKeyService;
  devices: DeviceService;
  audit: AuditLog;
  runningListeners: () => RunningListener[];
  /** Announces operator changes to device records (connections.changed). */
  onDeviceChanged: (row: DeviceRow) => void;
}

/** Operator-API handlers; every change is written to the audit log with the caller's identity. */
export function createTenancyHandlers(d: HandlerDeps): HandlersFor<keyof typeof tenancyMethods> {
  const { accounts, services, endpoints, credentials, accessRules, apiKeys, devices, audit } = d;
  const accountDto = (id: string) => accounts.toDto(accounts.require(id));
  const accountLabel = (id: string) => `account:${accounts.row(id)?.name ?? id}`;

  return {
    'accounts.list': (req) => ({ accounts: accounts.list(req.parentId) }),
    'accounts.get': (req) => accountDto(req.id),
    'accounts.create': (req, call) => {
      const row = accounts.create(req);
      audit.record(call, 'accounts.create', `account:${row.name}`, { id: row.id, ...req });
      return accounts.toDto(row);
    },
    'accounts.update': (req, call) => {
      const row = accounts.update(req);
      audit.record(call, 'accounts.update', `account:${row.name}`, req);
      return accounts.toDto(row);
    },
    'accounts.rename': (req, call) => {
      const before = accounts.require(req.id).name;
      const row = accounts.rename(req.id, req.name);
      audit.record(call, 'accounts.rename', `account:${row.name}`, {
        id: row.id,
        from: before,
        to: row.name,
      });
      return accounts.toDto(row);
    },
    'accounts.setEnabled': (req, call) => {
      const row = accounts.setEnabled(req.id, req.enabled);
      audit.record(call, req.enabled ? 'accounts.enable' : 'accounts.disable', `account:${row.name}`, req);
      return accounts.toDto(row);
    },
    'accounts.expire': (req, call) => {
      const row = accounts.expire(req.id);
      audit.record(call, 'accounts.expire', `account:${row.name}`, { id: row.id, expiresAt: row.expires_at });
      return accounts.toDto(row);
    },
    'accounts.delete': (req, call) => {
      const row = accounts.delete(req.id);
      audit.record(call, 'accounts.delete', `account:${row.name}`, { id: row.id });
      return { ok: true as const };
    },
    'accounts.assignService': (req, call) => {
      const row = accounts.assignService(req.accountId, req.serviceId);
      const service = req.serviceId === null ? null : services.require(req.serviceId).name;
      audit.record(call, 'accounts.assignService', `account:${row.name}`, { ...req, service });
      return accounts.toDto(row);
    },
    'accounts.setConnectionOptions': (req, call) => {
      const row = accounts.setConnectionOptions(req.accountId, req.options);
      audit.record(call, 'accounts.setConnectionOptions', `account:${row.name}`, req);
      return accounts.toDto(row);
    },

    'services.list': () => ({ services: services.list() }),
    'services.createExternal': (req, call) => {
      const service = services.createExternal(req);
      audit.record(call, 'services.createExternal', `service:${service.name}`, { id: service.id, ...req });
      return service;
    },
    'services.delete': (req, call) => {
      const name = services.require(req.id).name;
      services.delete(req.id);
      audit.record(call, 'services.delete', `service:${name}`, req);
      return { ok: true as const };
    },

    'endpoints.list': (req) => endpoints.effective(req.accountId),
    'endpoints.create': (req, call) => {
      const row = endpoints.create(req.accountId, req);
      audit.record(call, 'endpoints.create', accountLabel(req.accountId), endpoints.toDto(row));
      return endpoints.toDto(row);
    },
    'endpoints.update': (req, call) => {
      const before = endpoints.toDto(endpoints.require(req.id));
      const { id, confirm, ...changes } = req;
      const row = endpoints.update(id, changes, confirm);
      audit.record(call, 'endpoints.update', accountLabel(row.account_id), {
        before,
        after: endpoints.toDto(row),
        confirm,
      });
      return endpoints.toDto(row);
    },
    'endpoints.delete': (req, call) => {
      const row = endpoints.delete(req.id, req.confirm);
      audit.record(call, 'endpoints.delete', accountLabel(row.account_id), {
        ...endpoints.toDto(row),
        confirm: req.confirm,
      });
      return { ok: true as const };
    },
    'endpoints.checkReachability': (req) =>
      checkReachability(endpoints.require(req.id), accounts, d.runningListeners, req.timeoutMs),

    'credentials.list': (req) => {
      accounts.require(req.accountId);
      return { credentials: credentials.list(req.accountId) };
    },
    'credentials.create': async (req, call) => {
      accounts.require(req.accountId);
      const row = await credentials.create(req);
      audit.record(call, 'credentials.create', `credential:${row.username}`, {
        id: row.id,
        accountId: row.account_id,
        expiresAt: row.expires_at,
        enabled: row.enabled === 1,
      });
      return credentials.toDto(row);
    },
    'credentials.update': (req, call) => {
      const row = credentials.update(req.id, req);
      audit.record(call, 'credentials.update', `credential:${row.username}`, req);
      return credentials.toDto(row);
    },
    'credentials.setPassword': async (req, call) => {
      const row = await credentials.setPassword(req.id, req.password);
      audit.record(call, 'credentials.setPassword', `credential:${row.username}`, { id: row.id });
      return credentials.toDto(row);
    },
    'credentials.unlock': (req, call) => {
      const row = credentials.unlock(req.id, req.address);
      audit.record(call, 'credentials.unlock', `credential:${row.username}`, req);
      return credentials.toDto(row);
    },
    'credentials.delete': (req, call) => {
      const row = credentials.delete(req.id);
      audit.record(call, 'credentials.delete', `credential:${row.username}`, { id: row.id });
      return { ok: true as const };
    },

    'accessRules.get': (req) => {
      accounts.require(req.accountId);
      return accessRules.get(req.accountId, req.credentialId);
    },
    'accessRules.set': (req, call) => {
      accounts.require(req.accountId);
      const result = accessRules.set(req.accountId, req.credentialId, req.rules);
      const target =
        req.credentialId === null
          ? `${accountLabel(req.accountId)}/template`
          : `credential:${credentials.require(req.credentialId).username}`;
      audit.record(call, 'accessRules.set', target, req);
      return result;
    },
    'accessRules.check': (req) => {
      const credential = credentials.require(req.credentialId);
      const account = accounts.require(credential.account_id);
      return accessRules.check(
        account.id,
        credential.id,
        {
          clientId: req.clientId,
          username: credential.username,
          accountName: account.name,
        },
        req.action,
        req.topic,
      );
    },

    'apiKeys.list': (req) => {
      accounts.require(req.accountId);
      return { apiKeys: apiKeys.list(req.accountId) };
    },
    'apiKeys.create': (req, call) => {
      accounts.require(req.accountId);
      const { row, key } = apiKeys.create(req);
      const dto = apiKeys.toDto(row);
      audit.record(call, 'apiKeys.create', `apiKey:${row.name}`, dto);
      return { apiKey: dto, key };
    },
    'apiKeys.update': (req, call) => {
      const row = apiKeys.update(req.id, req);
      audit.record(call, 'apiKeys.update', `apiKey:${row.name}`, req);
      return apiKeys.toDto(row);
    },
    'apiKeys.revoke': (req, call) => {
      const row = apiKeys.revoke(req.id);
      audit.record(call, 'apiKeys.revoke', `apiKey:${row.name}`, req);
      return apiKeys.toDto(row);
    },

    'connections.list': (req) => {
      const account = accounts.require(req.accountId);
      const ids = req.includeDescendants ? accounts.subtreeIds(account.id) : [account.id];
      return { connections: devices.list(ids, req.status) };
    },
    'connections.update': (req, call) => {
      const account = accounts.require(req.accountId);
      const dto = devices.configure(account, req.clientId, {
        coupling: req.coupling,
        allowUserChange: req.allowUserChange,
        reservedCredentialId: req.reservedCredentialId,
      });
      audit.record(call, 'connections.update', `device:${account.name}/${req.clientId}`, req);
      const row = devices.row(account.id, req.clientId);
      if (row) d.onDeviceChanged(row);
      return dto;
    },
    'connections.delete': (req, call) => {
      const row = devices.delete(req.id);
      audit.record(
        call,
        'connections.delete',
        `device:${accounts.row(row.account_id)?.name ?? row.account_id}/${row.client_id}`,
        req,
      );
      return { ok: true as const };
    },

    'audit.query': (req) => {
      const { limit, offset, ...filter } = req;
      return audit.query(filter, limit, offset);
    },
    'audit.export': (req) => {
      const { format, ...filter } = req;
      return { format, ...audit.export(filter, format) };
    },
  };
}
