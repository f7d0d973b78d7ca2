import { useEffect, useId, useRef, useState } from 'react';
import { type Account, type MessagingService, tenancyMethods } from '../../../../../preload/contract/tenancy';
import { useApiEvent, useMutation } from '../../../api/hooks';
import { ConfirmDialog, ErrorNote, FieldError, PageHeader } from '../../../components';
import { useAccounts } from '../shared/AccountPicker';
import { AccountStatusBadge, accountStatus } from '../shared/AccountStatus';
import { formatWhen, fromLocalInput, toLocalInput } from '../shared/dates';
import { accountById, serviceById } from '../shared/store';
import { AccountTree, serviceLabel } from './AccountTree';

const ACCOUNT_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export function accountNameProblem(name: string): string | undefined {
  if (!name) return 'Enter a name.';
  if (name.startsWith('$')) return 'Account names may not start with "$".';
  if (!ACCOUNT_NAME.test(name)) return 'Use 1 to 64 letters, digits, "_" or "-".';
  return undefined;
}

function parseQuota(text: string): number | null | 'bad' {
  if (text.trim() === '') return null;
  const n = Number(text);
  return Number.isInteger(n) && n >= 0 ? n : 'bad';
}

/** Accounts: the hierarchy with each account's effective service, status and quotas; create, rename, disable, expire, delete. */
export function AccountsPage() {
  const { accounts, services, selectedId, select, load, error } = useAccounts();
  const selected = accountById(accounts, selectedId);
  // Device counts change as devices connect; refetch at most every 2 s while events arrive.
  const refetch = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(refetch.current), []);
  useApiEvent('connections.changed', () => {
    if (refetch.current) return;
    refetch.current = setTimeout(() => {
      refetch.current = undefined;
      void load();
    }, 2000);
  });
  return (
    <div className="page tn-page" data-testid="tenancy-accounts-page">
      <PageHeader title="Accounts">
        <span className="muted">
          {accounts.length} account{accounts.length === 1 ? '' : 's'}
        </span>
      </PageHeader>
      <ErrorNote message={error} />
      <div className="tn-split">
        <section className="panel tn-tree-panel">
          <AccountTree accounts={accounts} services={services} selectedId={selectedId} onSelect={select} />
          <p className="muted tn-hint">
            Level-one accounts are assigned a messaging service explicitly (Messaging services page); deeper
            accounts inherit their level-one ancestor's. Keyboard: arrows move, →/← expand/collapse.
          </p>
        </section>
        {selected ? (
          <AccountDetails
            key={selected.id}
            account={selected}
            accounts={accounts}
            services={services}
            reload={load}
          />
        ) : null}
      </div>
      {selected ? <CreateChild key={`c-${selected.id}`} parent={selected} services={services} /> : null}
    </div>
  );
}

function AccountDetails({
  account,
  accounts,
  services,
  reload,
}: {
  account: Account;
  accounts: Account[];
  services: MessagingService[];
  reload(): Promise<void>;
}) {
  const m = useMutation();
  const [confirm, setConfirm] = useState<'delete' | 'expire' | 'disable' | undefined>();
  const [renaming, setRenaming] = useState(account.name);
  const renameProblem = renaming === account.name ? undefined : accountNameProblem(renaming);
  const renameErr = useId();
  const svc = serviceLabel(account, accounts, services);
  const status = accountStatus(account);
  const parent = accountById(accounts, account.parentId);

  const act = async (fn: () => ReturnType<typeof m.attempt>) => {
    const result = await fn();
    if (result.ok) {
      setConfirm(undefined);
      await reload();
    }
    return result;
  };

  return (
    <section
      className="panel tn-details"
      aria-label={`Account ${account.name}`}
      data-testid="account-details"
    >
      <div className="panel-header">
        <h2>{account.path.join(' / ')}</h2>
        <AccountStatusBadge status={status} />
      </div>
      <dl className="facts">
        <dt>Messaging service</dt>
        <dd className={`tn-svc-${svc.kind}`}>{svc.text}</dd>
        <dt>Connection options</dt>
        <dd>
          {account.effectiveConnectionOptions.length > 0
            ? account.effectiveConnectionOptions.join(', ')
            : 'none'}
          {account.connectionOptions === null ? (
            <span className="muted"> (all the service offers)</span>
          ) : null}
        </dd>
        <dt>User coupling</dt>
        <dd>{account.userCoupling}</dd>
        <dt>Organization</dt>
        <dd>{account.organization || '–'}</dd>
        <dt>E-mail</dt>
        <dd>{account.email ?? '–'}</dd>
        <dt>Expires</dt>
        <dd>{formatWhen(account.expiresAt)}</dd>
        <dt>Parent</dt>
        <dd>{parent?.name ?? '– (root)'}</dd>
        <dt>Created</dt>
        <dd>{formatWhen(account.createdAt)}</dd>
      </dl>

      <ErrorNote message={confirm ? undefined : m.error} />

      <div className="tn-actions tn-wrap">
        <form
          className="tn-inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (renameProblem || renaming === account.name) return;
            void act(() => m.attempt('accounts.rename', { id: account.id, name: renaming }));
          }}
        >
          <label>
            Name{' '}
            <input
              value={renaming}
              onChange={(e) => setRenaming(e.target.value)}
              aria-invalid={renameProblem ? true : undefined}
              aria-describedby={renameErr}
              data-testid="rename-input"
            />
          </label>
          <button type="submit" disabled={!!renameProblem || renaming === account.name || m.busy}>
            Rename
          </button>
          <FieldError id={renameErr} message={renameProblem} />
        </form>
      </div>
      {renaming !== account.name && !renameProblem ? (
        <p className="muted tn-hint">
          Renaming disconnects the account's devices: their topic namespace changes.
        </p>
      ) : null}
      <div className="tn-actions tn-wrap">
        {account.enabled ? (
          <button type="button" onClick={() => setConfirm('disable')} data-testid="disable-account">
            Disable…
          </button>
        ) : (
          <button
            type="button"
            onClick={() =>
              void act(() => m.attempt('accounts.setEnabled', { id: account.id, enabled: true }))
            }
            data-testid="enable-account"
          >
            Enable
          </button>
        )}
        <button type="button" onClick={() => setConfirm('expire')} disabled={status === 'expired'}>
          Expire now…
        </button>
        <button
          type="button"
          className="danger"
          onClick={() => setConfirm('delete')}
          disabled={account.depth === 0}
          data-testid="delete-account"
        >
          Delete…
        </button>
      </div>
      <EditAccount account={account} reload={reload} />

      <ConfirmDialog
        open={confirm !== undefined}
        title={
          confirm === 'delete'
            ? `Delete account "${account.name}"?`
            : confirm === 'expire'
              ? `Expire account "${account.name}" now?`
              : `Disable account "${account.name}"?`
        }
        message={
          confirm === 'delete' ? (
            <p>
              The account, its credentials, endpoints and API keys are removed. Accounts with sub-accounts or
              device records cannot be deleted.
            </p>
          ) : (
            <p>
              Its devices and those of all its sub-accounts are disconnected and refused until it is{' '}
              {confirm === 'expire' ? 'given a later expiry' : 'enabled again'}.
            </p>
          )
        }
        confirmLabel={confirm === 'delete' ? 'Delete' : confirm === 'expire' ? 'Expire' : 'Disable'}
        error={m.error}
        busy={m.busy}
        onCancel={() => {
          setConfirm(undefined);
          m.setError(undefined);
        }}
        onConfirm={() =>
          void act(() =>
            confirm === 'delete'
              ? m.attempt('accounts.delete', { id: account.id })
              : confirm === 'expire'
                ? m.attempt('accounts.expire', { id: account.id })
                : m.attempt('accounts.setEnabled', { id: account.id, enabled: false }),
          )
        }
      />
    </section>
  );
}

function EditAccount({ account, reload }: { account: Account; reload(): Promise<void> }) {
  const m = useMutation();
  const [organization, setOrganization] = useState(account.organization);
  const [email, setEmail] = useState(account.email ?? '');
  const [expires, setExpires] = useState(toLocalInput(account.expiresAt));
  const [maxChildren, setMaxChildren] = useState(account.maxChildAccounts?.toString() ?? '');
  const [maxDevices, setMaxDevices] = useState(account.maxDevices?.toString() ?? '');
  const [saved, setSaved] = useState(false);
  const ids = useId();
  const childQuota = parseQuota(maxChildren);
  const deviceQuota = parseQuota(maxDevices);
  const emailProblem = email && !/^[^\s@]+@[^\s@]+$/.test(email) ? 'Not an e-mail address.' : undefined;
  const request = {
    id: account.id,
    organization,
    email: email || null,
    expiresAt: fromLocalInput(expires),
    maxChildAccounts: childQuota === 'bad' ? -1 : childQuota,
    maxDevices: deviceQuota === 'bad' ? -1 : deviceQuota,
  };
  const parsed = tenancyMethods['accounts.update'].request.safeParse(request);
  const issue = (field: string) =>
    parsed.success ? undefined : parsed.error.issues.find((i) => i.path[0] === field)?.message;
  const quotaMsg = 'A whole number ≥ 0; empty = unlimited, 0 = none allowed.';
  const valid = parsed.success && !emailProblem;

  useEffect(() => {
    if (!saved) return;
    const t = setTimeout(() => setSaved(false), 2500);
    return () => clearTimeout(t);
  }, [saved]);

  return (
    <details className="tn-help">
      <summary>Details, expiry and quotas</summary>
      <form
        className="tn-form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!valid) return;
          const r = await m.attempt('accounts.update', request);
          if (r.ok) {
            setSaved(true);
            await reload();
          }
        }}
      >
        <label>
          Organization
          <input value={organization} onChange={(e) => setOrganization(e.target.value)} />
        </label>
        <FieldError id={`${ids}-o`} message={issue('organization')} />
        <label>
          E-mail
          <input
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-invalid={emailProblem ? true : undefined}
            aria-describedby={`${ids}-e`}
          />
        </label>
        <FieldError id={`${ids}-e`} message={emailProblem} />
        <label>
          Expires
          <input type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} />
        </label>
        <span className="muted tn-field-note">Empty = never. It may not outlive its parent.</span>
        <label>
          Max sub-accounts
          <input
            inputMode="numeric"
            value={maxChildren}
            placeholder="unlimited"
            onChange={(e) => setMaxChildren(e.target.value)}
            aria-invalid={childQuota === 'bad' ? true : undefined}
            aria-describedby={`${ids}-c`}
          />
        </label>
        <FieldError id={`${ids}-c`} message={childQuota === 'bad' ? quotaMsg : undefined} />
        <label>
          Max devices
          <input
            inputMode="numeric"
            value={maxDevices}
            placeholder="unlimited"
            onChange={(e) => setMaxDevices(e.target.value)}
            aria-invalid={deviceQuota === 'bad' ? true : undefined}
            aria-describedby={`${ids}-d`}
          />
        </label>
        <FieldError id={`${ids}-d`} message={deviceQuota === 'bad' ? quotaMsg : undefined} />
        <ErrorNote message={m.error} />
        <div className="tn-actions">
          <button type="submit" className="primary" disabled={!valid || m.busy}>
            Save
          </button>
          {saved ? <span className="tn-ok">Saved</span> : null}
        </div>
      </form>
    </details>
  );
}

function CreateChild({
  parent,
  services,
}: {
  parent: Account;
  services: ReturnType<typeof useAccounts>['services'];
}) {
  const { load, select } = useAccounts();
  const m = useMutation();
  const [name, setName] = useState('');
  const [organization, setOrganization] = useState('');
  const [email, setEmail] = useState('');
  const [serviceId, setServiceId] = useState('');
  const [maxDevices, setMaxDevices] = useState('');
  const [touched, setTouched] = useState(false);
  const ids = useId();
  const levelOne = parent.depth === 0;
  const nameProblem = touched ? accountNameProblem(name) : undefined;
  const deviceQuota = parseQuota(maxDevices);
  const emailProblem = email && !/^[^\s@]+@[^\s@]+$/.test(email) ? 'Not an e-mail address.' : undefined;
  const request = {
    parentId: parent.id,
    name,
    organization,
    email: email || null,
    maxDevices: deviceQuota === 'bad' ? -1 : deviceQuota,
    serviceId: levelOne && serviceId ? serviceId : null,
  };
  const parsed = tenancyMethods['accounts.create'].request.safeParse(request);
  const valid = parsed.success && !accountNameProblem(name) && !emailProblem;
  const inherited = serviceById(services, parent.effectiveServiceId);

  return (
    <section className="panel tn-create" aria-label="Create a sub-account">
      <h2>
        New account under <span className="mono">{parent.path.join(' / ')}</span>
      </h2>
      <form
        className="tn-form tn-form-row"
        onSubmit={async (e) => {
          e.preventDefault();
          setTouched(true);
          if (!valid) return;
          const r = await m.attempt('accounts.create', request);
          if (r.ok) {
            setName('');
            setTouched(false);
            await load();
            select(r.data.id);
          }
        }}
      >
        <label>
          Name
          <input
            value={name}
            data-testid="new-account-name"
            onChange={(e) => {
              setName(e.target.value);
              setTouched(true);
            }}
            aria-invalid={nameProblem ? true : undefined}
            aria-describedby={`${ids}-n`}
          />
          <FieldError id={`${ids}-n`} message={nameProblem} />
        </label>
        <label>
          Organization
          <input value={organization} onChange={(e) => setOrganization(e.target.value)} />
        </label>
        <label>
          E-mail
          <input
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-describedby={`${ids}-e`}
            aria-invalid={emailProblem ? true : undefined}
          />
          <FieldError id={`${ids}-e`} message={emailProblem} />
        </label>
        <label>
          Max devices
          <input
            value={maxDevices}
            placeholder="unlimited"
            inputMode="numeric"
            onChange={(e) => setMaxDevices(e.target.value)}
            aria-describedby={`${ids}-d`}
          />
          <FieldError id={`${ids}-d`} message={deviceQuota === 'bad' ? 'A whole number ≥ 0.' : undefined} />
        </label>
        {levelOne ? (
          <label>
            Messaging service
            <select
              value={serviceId}
              onChange={(e) => setServiceId(e.target.value)}
              data-testid="new-account-service"
            >
              <option value="">none yet</option>
              {services.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <p className="muted tn-field-note">
            Inherits messaging service {inherited ? `"${inherited.name}"` : '(none yet)'} from its level-one
            ancestor.
          </p>
        )}
        <button
          type="submit"
          className="primary"
          disabled={m.busy || (touched && !valid)}
          data-testid="create-account"
        >
          Create
        </button>
      </form>
      <ErrorNote message={m.error} />
    </section>
  );
}
