import type { Account } from '../../../../../preload/contract/tenancy';
import { ProgressBar, StatusBadge } from '../../../components';

export type AccountStatus = 'enabled' | 'disabled' | 'expired' | 'blocked';

export function accountStatus(a: Account, now = Date.now()): AccountStatus {
  if (a.expiresAt !== null && a.expiresAt <= now) return 'expired';
  if (!a.enabled) return 'disabled';
  if (!a.usable) return 'blocked';
  return 'enabled';
}

const STATUS_TITLES: Record<AccountStatus, string> = {
  enabled: 'Devices may connect',
  disabled: 'Disabled: its devices and those of its sub-accounts are refused',
  expired: 'Expired: its devices and those of its sub-accounts are refused',
  blocked: 'Enabled, but an ancestor is disabled or expired, so its devices are refused',
};

/** An account's state, with a tooltip saying what it means for its devices. */
export function AccountStatusBadge({ status }: { status: AccountStatus }) {
  return (
    <StatusBadge status={status} title={STATUS_TITLES[status]}>
      {status === 'blocked' ? 'blocked by ancestor' : status}
    </StatusBadge>
  );
}

/** A small usage bar for one of an account's quotas (null = unlimited). */
export function QuotaBar({ used, max, label }: { used: number; max: number | null; label: string }) {
  return <ProgressBar value={used} max={max} label={label} tone="usage" compact />;
}
