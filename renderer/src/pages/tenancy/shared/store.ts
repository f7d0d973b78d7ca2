import { create } from 'zustand';
import type { Account, MessagingService } from '../../../../../preload/contract/tenancy';
import { errorMessage } from '../../../api/api-call-error';
import { api } from '../../../api/client';

interface TenancyState {
  accounts: Account[];
  services: MessagingService[];
  loaded: boolean;
  error: string | undefined;
  /** The account the per-account pages show; shared so switching pages keeps the context. */
  selectedId: string | undefined;
  load(): Promise<void>;
  select(id: string): void;
}

let inFlight: Promise<void> | undefined;
let followUp: Promise<void> | undefined;

export const useTenancy = create<TenancyState>((set, get) => ({
  accounts: [],
  services: [],
  loaded: false,
  error: undefined,
  selectedId: undefined,
  load() {
    // A load asked for while one runs (e.g. right after a change) runs once more afterwards, so it
    // never returns data read before the change.
    if (inFlight) {
      followUp ??= inFlight.then(() => {
        followUp = undefined;
        return get().load();
      });
      return followUp;
    }
    const run = Promise.all([api().call('accounts.list', {}), api().call('services.list', {})])
      .then(([a, s]) => {
        const selected = get().selectedId;
        const stillThere = a.accounts.some((x) => x.id === selected);
        set({
          accounts: a.accounts,
          services: s.services,
          loaded: true,
          error: undefined,
          selectedId: stillThere
            ? selected
            : (a.accounts.find((x) => x.depth === 0)?.id ?? a.accounts[0]?.id),
        });
      })
      .catch((err) => set({ error: errorMessage(err), loaded: true }))
      .finally(() => {
        inFlight = undefined;
      });
    inFlight = run;
    return run;
  },
  select(id) {
    set({ selectedId: id });
  },
}));

export function accountById(
  accounts: readonly Account[],
  id: string | null | undefined,
): Account | undefined {
  return id ? accounts.find((a) => a.id === id) : undefined;
}

export function serviceById(
  services: readonly MessagingService[],
  id: string | null | undefined,
): MessagingService | undefined {
  return id ? services.find((s) => s.id === id) : undefined;
}

/** Accounts in tree order (parents before children, siblings by name). */
export function treeOrder(accounts: readonly Account[]): Account[] {
  const children = new Map<string | null, Account[]>();
  for (const a of accounts) {
    const key = accounts.some((p) => p.id === a.parentId) ? a.parentId : null;
    const list = children.get(key) ?? [];
    list.push(a);
    children.set(key, list);
  }
  for (const list of children.values()) list.sort((x, y) => x.name.localeCompare(y.name));
  const out: Account[] = [];
  const walk = (parent: string | null) => {
    for (const a of children.get(parent) ?? []) {
      out.push(a);
      walk(a.id);
    }
  };
  walk(null);
  return out;
}
