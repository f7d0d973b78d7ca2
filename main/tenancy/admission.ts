import type { AuthenticateResult, ConnectContext, Principal } from '../broker/hooks';
import type { AccountRow, AccountService } from './accounts';
import { REASON } from './context';
import type { DeviceService } from './devices';

type Refusal = Extract<AuthenticateResult, { ok: false }>;

export function refuse(reasonCode: number, reasonString: string): Refusal {
  return { ok: false, reasonCode, reasonString };
}

/** The topic namespace of an account's devices. */
export function namespaceOf(accountName: string): string {
  return `$a/${accountName}/`;
}

export type AdmitToAccount = (
  ctx: ConnectContext,
  account: AccountRow,
  principal: Omit<Principal, 'accountId' | 'accountName' | 'topicPrefix'>,
  credential: { id: string; username: string } | null,
) => AuthenticateResult;

/**
 * The account-side checks every login passes once its identity is proven (password, API key or
 * certificate): account usable, messaging service on this broker, connection option, device
 * quota and user coupling. Returns the namespaced principal.
 */
export function createAdmission(accounts: AccountService, devices: DeviceService): AdmitToAccount {
  return function admitToAccount(
    ctx: ConnectContext,
    account: AccountRow,
    principal: Omit<Principal, 'accountId' | 'accountName' | 'topicPrefix'>,
    credential: { id: string; username: string } | null,
  ): AuthenticateResult {
    const usable = accounts.usability(account);
    if (!usable.ok) return refuse(REASON.notAuthorized, `Not authorized: ${usable.reason}`);
    const service = accounts.effectiveService(account);
    if (!service) {
      return refuse(
        REASON.notAuthorized,
        `Not authorized: account "${account.name}" has no messaging service`,
      );
    }
    if (service.kind !== 'embedded') {
      return refuse(
        REASON.notAuthorized,
        `Not authorized: account "${account.name}" is served by messaging service "${service.name}", not this broker`,
      );
    }
    if (!accounts.effectiveOptions(account).includes(ctx.listener.kind)) {
      return refuse(
        REASON.notAuthorized,
        `Not authorized: connection option "${ctx.listener.kind}" is not enabled for account "${account.name}"`,
      );
    }
    const admission = devices.admit(account, ctx.clientId, credential);
    if (!admission.ok) return refuse(admission.reasonCode, `Not authorized: ${admission.reasonString}`);
    return {
      ok: true,
      principal: {
        ...principal,
        accountId: account.id,
        accountName: account.name,
        topicPrefix: namespaceOf(account.name),
        attributes: { ...principal.attributes, tenancy: true, deviceId: admission.device.id },
      },
    };
  };
}
