import { useEffect, useId } from 'react';
import { treeOrder, useTenancy } from './store';

/** Loads the shared account list once per page mount. */
export function useAccounts() {
  const state = useTenancy();
  const { load } = state;
  useEffect(() => {
    void load();
  }, [load]);
  return state;
}

/** A select of every account, indented by depth; bound to the shared selection. */
export function AccountPicker({ label = 'Account' }: { label?: string }) {
  const { accounts, selectedId, select } = useTenancy();
  const id = useId();
  const ordered = treeOrder(accounts);
  return (
    <div className="tn-picker">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        data-testid="account-picker"
        value={selectedId ?? ''}
        onChange={(e) => select(e.target.value)}
      >
        {ordered.map((a) => (
          <option key={a.id} value={a.id}>
            {`${'\u00a0\u00a0'.repeat(a.depth)}${a.name}`}
          </option>
        ))}
      </select>
    </div>
  );
}
