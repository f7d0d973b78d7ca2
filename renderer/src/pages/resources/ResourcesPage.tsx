import { useEffect } from 'react';
import { useQuery } from '../../api/hooks';
import { ErrorNote, PageHeader } from '../../components';
import { AccountPicker, useAccounts } from '../tenancy/shared/AccountPicker';
import {
  ActionsPanel,
  KeysPanel,
  RestListenersPanel,
  SimpleList,
  SubscribersPanel,
  ThngsPanel,
} from './ResourcePanels';
import './resources.css';

const REFRESH_MS = 2000;

/** EVRYTHNG-style resources of one account: Thngs, products, collections, actions, keys, live subscribers. */
export function ResourcesPage() {
  const { selectedId, error } = useAccounts();
  const overview = useQuery('resources.overview', { accountId: selectedId ?? '' }, { enabled: !!selectedId });
  const reload = overview.reload;
  useEffect(() => {
    if (!selectedId) return;
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [selectedId, reload]);
  const data = selectedId ? overview.data : undefined;
  return (
    <div className="page tn-page res-page" data-testid="resources-page">
      <PageHeader title="Resources">
        <AccountPicker />
      </PageHeader>
      <ErrorNote message={error ?? (selectedId ? overview.error : undefined)} />
      <RestListenersPanel />
      {selectedId && data ? (
        <>
          <ThngsPanel accountId={selectedId} thngs={data.thngs} onChanged={reload} />
          <div className="res-columns">
            <SimpleList title="Products" items={data.products} testId="resources-products" />
            <SimpleList title="Collections" items={data.collections} testId="resources-collections" />
          </div>
          <ActionsPanel actions={data.actions} />
          <KeysPanel keys={data.keys} thngs={data.thngs} onChanged={reload} />
          <SubscribersPanel subscribers={data.subscribers} />
        </>
      ) : null}
    </div>
  );
}
