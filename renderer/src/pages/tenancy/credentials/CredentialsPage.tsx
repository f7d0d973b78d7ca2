import { useState } from 'react';
import type { Credential } from '../../../../../preload/contract/tenancy';
import { useMutation, useQuery } from '../../../api/hooks';
import { ConfirmDialog, ErrorNote, PageHeader, StatusBadge } from '../../../components';
import { AccountPicker, useAccounts } from '../shared/AccountPicker';
import { formatWhen } from '../shared/dates';
import { accountById } from '../shared/store';
import { CreateCredential } from './CreateCredential';
import { ResetPassword } from './ResetPassword';
import { RulesPanel } from './RulesPanel';

function credentialStatus(c: Credential): string {
  if (c.expiresAt !== null && c.expiresAt <= Date.now()) return 'expired';
  if (!c.enabled) return 'disabled';
  if (c.lockedAddresses.length > 0) return 'locked';
  return 'enabled';
}

/** Device credentials of an account, their access rules, and the account's default rule template. */
export function CredentialsPage() {
  const { accounts, selectedId, error } = useAccounts();
  const account = accountById(accounts, selectedId);
  const list = useQuery('credentials.list', { accountId: selectedId ?? '' }, { enabled: !!selectedId });
  const credentials = selectedId ? (list.data?.credentials ?? []) : [];
  const m = useMutation();
  const [resetting, setResetting] = useState<Credential>();
  const [deleting, setDeleting] = useState<Credential>();
  const [chosenTarget, setRulesTarget] = useState<string | null>(null);
  // A credential of another account (after switching accounts) or a deleted one falls back to the template.
  const rulesTarget = credentials.some((c) => c.id === chosenTarget) ? chosenTarget : null;

  const act = async (p: Promise<{ ok: boolean }>) => {
    const r = await p;
    if (r.ok) list.reload();
    return r;
  };

  return (
    <div className="page tn-page" data-testid="tenancy-credentials-page">
      <PageHeader title="Credentials and access rules">
        <AccountPicker />
      </PageHeader>
      <ErrorNote message={error ?? (selectedId ? list.error : undefined)} />
      <section className="panel">
        <h2>Credentials{account ? ` of ${account.name}` : ''}</h2>
        <ErrorNote message={resetting || deleting ? undefined : m.error} />
        {credentials.length === 0 ? (
          <p className="tn-empty">No credentials yet.</p>
        ) : (
          <div className="tn-table-wrap">
            <table className="grid tn-table" data-testid="credentials-table">
              <thead>
                <tr>
                  <th>Username</th>
                  <th>Status</th>
                  <th>Expires</th>
                  <th>Last used</th>
                  <th>Locked out</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {credentials.map((c) => (
                  <tr
                    key={c.id}
                    data-testid={`credential-${c.username}`}
                    aria-selected={rulesTarget === c.id}
                  >
                    <td className="mono">{c.username}</td>
                    <td>
                      <StatusBadge status={credentialStatus(c)} />
                    </td>
                    <td>{formatWhen(c.expiresAt)}</td>
                    <td>{formatWhen(c.lastUsedAt)}</td>
                    <td>
                      {c.lockedAddresses.length > 0 ? (
                        <>
                          <span className="mono">{c.lockedAddresses.join(', ')}</span>{' '}
                          <button
                            type="button"
                            onClick={() => void act(m.attempt('credentials.unlock', { id: c.id }))}
                          >
                            Unlock
                          </button>
                        </>
                      ) : (
                        '–'
                      )}
                    </td>
                    <td>
                      <div className="tn-row-actions">
                        <button
                          type="button"
                          onClick={() => setRulesTarget(c.id)}
                          data-testid="credential-rules"
                        >
                          Rules
                        </button>
                        <button
                          type="button"
                          onClick={() =>
                            void act(m.attempt('credentials.update', { id: c.id, enabled: !c.enabled }))
                          }
                        >
                          {c.enabled ? 'Disable' : 'Enable'}
                        </button>
                        <button
                          type="button"
                          onClick={() => {
                            m.setError(undefined);
                            setResetting(c);
                          }}
                        >
                          Reset password…
                        </button>
                        <button
                          type="button"
                          className="danger"
                          onClick={() => {
                            m.setError(undefined);
                            setDeleting(c);
                          }}
                        >
                          Delete…
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {selectedId ? (
        <CreateCredential key={`new-${selectedId}`} accountId={selectedId} onCreated={() => list.reload()} />
      ) : null}
      {selectedId ? (
        <RulesPanel
          key={`${selectedId}-${rulesTarget ?? 'template'}`}
          accountId={selectedId}
          credentials={credentials}
          target={rulesTarget}
          onTarget={setRulesTarget}
        />
      ) : null}

      <ResetPassword
        credential={resetting}
        onClose={() => setResetting(undefined)}
        onDone={() => list.reload()}
      />
      <ConfirmDialog
        open={!!deleting}
        title={`Delete credential "${deleting?.username ?? ''}"?`}
        message={<p>Clients logged in with it are disconnected and its access rules are removed.</p>}
        confirmLabel="Delete"
        error={m.error}
        busy={m.busy}
        onCancel={() => setDeleting(undefined)}
        onConfirm={async () => {
          if (!deleting) return;
          const r = await act(m.attempt('credentials.delete', { id: deleting.id }));
          if (r.ok) {
            if (rulesTarget === deleting.id) setRulesTarget(null);
            setDeleting(undefined);
          }
        }}
      />
    </div>
  );
}
