import { ErrorNote, PageHeader } from '../../components';
import { AccountPicker, useAccounts } from '../tenancy/shared/AccountPicker';
import { accountById } from '../tenancy/shared/store';
import { AgentsPanel } from './AgentsPanel';
import { SettingsPanel } from './SettingsPanel';

/** Per account: onboarding mode, reconnect delay, scope id, applications, and the agents with their timelines. */
export function OnboardingPage() {
  const { accounts, selectedId, error } = useAccounts();
  const account = accountById(accounts, selectedId);
  return (
    <div className="page tn-page" data-testid="onboarding-page">
      <PageHeader title="Onboarding">
        <AccountPicker />
      </PageHeader>
      <ErrorNote message={error} />
      {account ? (
        <>
          <SettingsPanel key={`settings-${account.id}`} accountId={account.id} />
          <AgentsPanel key={`agents-${account.id}`} accountId={account.id} />
        </>
      ) : null}
    </div>
  );
}
