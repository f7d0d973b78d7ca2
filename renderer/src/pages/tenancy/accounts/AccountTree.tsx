import { type KeyboardEvent, useEffect, useMemo, useRef, useState } from 'react';
import type { Account, MessagingService } from '../../../../../preload/contract/tenancy';
import { AccountStatusBadge, accountStatus, QuotaBar } from '../shared/AccountStatus';
import { accountById, serviceById } from '../shared/store';

const ROW = 30;

interface Row {
  account: Account;
  level: number;
  hasChildren: boolean;
  expanded: boolean;
}

/** Where an account's messaging service comes from, in words. */
export function serviceLabel(
  a: Account,
  accounts: readonly Account[],
  services: readonly MessagingService[],
): { text: string; kind: 'explicit' | 'inherited' | 'none' } {
  const service = serviceById(services, a.effectiveServiceId);
  if (!service) return { text: 'no messaging service', kind: 'none' };
  if (a.serviceInheritedFrom) {
    const from = accountById(accounts, a.serviceInheritedFrom)?.name ?? a.serviceInheritedFrom;
    return { text: `${service.name} · inherited from ${from}`, kind: 'inherited' };
  }
  return { text: `${service.name} · explicit`, kind: 'explicit' };
}

/**
 * The account hierarchy as an ARIA tree: arrows move, Right/Left expand/collapse (or go to the first
 * child / the parent), Home/End jump; the focused row is the selected account.
 */
export function AccountTree({
  accounts,
  services,
  selectedId,
  onSelect,
}: {
  accounts: Account[];
  services: MessagingService[];
  selectedId: string | undefined;
  onSelect(id: string): void;
}) {
  const [collapsed, setCollapsed] = useState<Set<string>>(() => new Set());
  const listRef = useRef<HTMLDivElement>(null);
  const focusPending = useRef(false);

  const children = useMemo(() => {
    const map = new Map<string | null, Account[]>();
    const ids = new Set(accounts.map((a) => a.id));
    for (const a of accounts) {
      const key = a.parentId && ids.has(a.parentId) ? a.parentId : null;
      const list = map.get(key) ?? [];
      list.push(a);
      map.set(key, list);
    }
    for (const list of map.values()) list.sort((x, y) => x.name.localeCompare(y.name));
    return map;
  }, [accounts]);

  const rows = useMemo(() => {
    const out: Row[] = [];
    const walk = (parent: string | null, level: number) => {
      for (const a of children.get(parent) ?? []) {
        const hasChildren = (children.get(a.id)?.length ?? 0) > 0;
        const expanded = hasChildren && !collapsed.has(a.id);
        out.push({ account: a, level, hasChildren, expanded });
        if (expanded) walk(a.id, level + 1);
      }
    };
    walk(null, 1);
    return out;
  }, [children, collapsed]);

  // Keep the selection visible: expand the ancestors of a selected account hidden in a collapsed branch.
  useEffect(() => {
    const target = accountById(accounts, selectedId);
    if (!target) return;
    const hidden: string[] = [];
    let p = accountById(accounts, target.parentId);
    while (p) {
      if (collapsed.has(p.id)) hidden.push(p.id);
      p = accountById(accounts, p.parentId);
    }
    if (hidden.length > 0)
      setCollapsed((c) => {
        const next = new Set(c);
        for (const id of hidden) next.delete(id);
        return next;
      });
  }, [selectedId, accounts, collapsed]);

  // Windowing: only the rows in view (plus overscan) are in the DOM, so thousands of accounts stay cheap.
  const [scrollTop, setScrollTop] = useState(0);
  const [viewHeight, setViewHeight] = useState(480);
  useEffect(() => {
    const el = listRef.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setViewHeight(el.clientHeight || 480));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const index = Math.max(
    0,
    rows.findIndex((r) => r.account.id === selectedId),
  );

  // Keep the selected row visible after keyboard moves.
  useEffect(() => {
    if (!focusPending.current) return;
    focusPending.current = false;
    const el = listRef.current;
    if (!el) return;
    const top = index * ROW;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW - el.clientHeight;
  });

  const first = Math.max(0, Math.floor(scrollTop / ROW) - 10);
  const last = Math.min(rows.length, Math.ceil((scrollTop + viewHeight) / ROW) + 10);

  const toggle = (id: string, open?: boolean) =>
    setCollapsed((c) => {
      const next = new Set(c);
      const shouldOpen = open ?? next.has(id);
      if (shouldOpen) next.delete(id);
      else next.add(id);
      return next;
    });

  const moveTo = (i: number) => {
    const row = rows[Math.max(0, Math.min(rows.length - 1, i))];
    if (!row) return;
    focusPending.current = true;
    onSelect(row.account.id);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const row = rows[index];
    if (!row) return;
    let handled = true;
    switch (e.key) {
      case 'ArrowDown':
        moveTo(index + 1);
        break;
      case 'ArrowUp':
        moveTo(index - 1);
        break;
      case 'Home':
        moveTo(0);
        break;
      case 'End':
        moveTo(rows.length - 1);
        break;
      case 'ArrowRight':
        if (row.hasChildren && !row.expanded) toggle(row.account.id, true);
        else if (row.expanded) moveTo(index + 1);
        break;
      case 'ArrowLeft':
        if (row.expanded) toggle(row.account.id, false);
        else if (row.account.parentId) {
          const parent = rows.findIndex((r) => r.account.id === row.account.parentId);
          if (parent >= 0) moveTo(parent);
        }
        break;
      case '*': {
        // Expand every sibling, as the ARIA tree pattern suggests.
        const siblings = children.get(row.account.parentId) ?? [];
        setCollapsed((c) => {
          const next = new Set(c);
          for (const s of siblings) next.delete(s.id);
          return next;
        });
        break;
      }
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  };

  return (
    <div className="tn-tree-wrap">
      <div className="tn-tree-head" aria-hidden="true">
        <span>Account</span>
        <span>Messaging service</span>
        <span>Status</span>
        <span>Children</span>
        <span>Devices</span>
      </div>
      <div
        className="tn-tree"
        role="tree"
        aria-label="Accounts"
        ref={listRef}
        tabIndex={0}
        aria-activedescendant={rows[index] ? `acct-${rows[index].account.id}` : undefined}
        data-testid="account-tree"
        onKeyDown={onKeyDown}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      >
        <div style={{ height: rows.length * ROW, position: 'relative' }}>
          {rows.slice(first, last).map((r, k) => {
            const i = first + k;
            const a = r.account;
            const svc = serviceLabel(a, accounts, services);
            const status = accountStatus(a);
            return (
              // biome-ignore lint/a11y/useKeyWithClickEvents: the tree container handles the keyboard (aria-activedescendant).
              <div
                key={a.id}
                id={`acct-${a.id}`}
                role="treeitem"
                aria-level={r.level}
                aria-expanded={r.hasChildren ? r.expanded : undefined}
                aria-selected={a.id === selectedId}
                tabIndex={-1}
                data-testid={`account-row-${a.name}`}
                className={`tn-tree-row${i === index ? ' focused' : ''}`}
                style={{ position: 'absolute', top: i * ROW, left: 0, right: 0, height: ROW }}
                onClick={() => {
                  // Keep focus on the tree itself: rows come and go as the view scrolls.
                  listRef.current?.focus();
                  onSelect(a.id);
                }}
              >
                <span className="tn-tree-name" style={{ paddingLeft: `${(r.level - 1) * 18}px` }}>
                  <span
                    className="tn-twisty"
                    aria-hidden="true"
                    onClick={(e) => {
                      e.stopPropagation();
                      if (r.hasChildren) toggle(a.id);
                    }}
                  >
                    {r.hasChildren ? (r.expanded ? '▾' : '▸') : ''}
                  </span>
                  <span className="tn-account-name">{a.name}</span>
                  {a.depth === 0 ? <span className="ui-badge">root</span> : null}
                </span>
                <span className={`tn-svc tn-svc-${svc.kind}`} data-testid="account-service" title={svc.text}>
                  {svc.text}
                </span>
                <span>
                  <AccountStatusBadge status={status} />
                </span>
                <span>
                  <QuotaBar used={a.childCount} max={a.maxChildAccounts} label="Sub-accounts" />
                </span>
                <span>
                  <QuotaBar used={a.deviceCount} max={a.maxDevices} label="Devices" />
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
