import { useEffect, useId, useState } from 'react';
import { type AccessRule, type Credential, tenancyMethods } from '../../../../../preload/contract/tenancy';
import { errorMessage } from '../../../api/api-call-error';
import { api } from '../../../api/client';
import { useMutation, useQuery } from '../../../api/hooks';
import { ConfirmDialog, Dialog, ErrorNote, FieldError, PageHeader, StatusBadge } from '../../../components';
import { AccountPicker, useAccounts } from '../shared/AccountPicker';
import { formatWhen, fromLocalInput } from '../shared/dates';
import { RulesEditor, rulesValid, VariablesHelp } from '../shared/RulesEditor';
import { StrengthMeter } from '../shared/StrengthMeter';
import { accountById } from '../shared/store';

const USERNAME = /^[\x21-\x7e]{1,128}$/;

function usernameProblem(u: string): string | undefined {
  if (!u) return 'Enter a username.';
  if (!USERNAME.test(u)) return 'Use 1 to 128 printable ASCII characters without spaces.';
  if (u.toLowerCase() === 'authorization') return '"authorization" is reserved for API-key logins.';
  return undefined;
}

function passwordProblem(p: string): string | undefined {
  if (p.length < 8) return 'At least 8 characters.';
  if (p.length > 1024) return 'At most 1024 characters.';
  return undefined;
}

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

function CreateCredential({ accountId, onCreated }: { accountId: string; onCreated(): void }) {
  const m = useMutation();
  const ids = useId();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [expires, setExpires] = useState('');
  const [enabled, setEnabled] = useState(true);
  const [touched, setTouched] = useState({ u: false, p: false });
  const uProblem = touched.u ? usernameProblem(username) : undefined;
  const pProblem = touched.p ? passwordProblem(password) : undefined;
  const request = { accountId, username, password, expiresAt: fromLocalInput(expires), enabled };
  const valid =
    tenancyMethods['credentials.create'].request.safeParse(request).success &&
    !usernameProblem(username) &&
    !passwordProblem(password);
  const pastExpiry = request.expiresAt !== null && request.expiresAt <= Date.now();

  return (
    <section className="panel">
      <h2>New credential</h2>
      <form
        className="tn-form-row"
        data-testid="credential-form"
        onSubmit={async (e) => {
          e.preventDefault();
          setTouched({ u: true, p: true });
          if (!valid) return;
          const r = await m.attempt('credentials.create', request);
          if (r.ok) {
            setUsername('');
            setPassword('');
            setExpires('');
            setTouched({ u: false, p: false });
            onCreated();
          }
        }}
      >
        <label>
          Username
          <input
            value={username}
            autoComplete="off"
            data-testid="credential-username"
            aria-invalid={uProblem ? true : undefined}
            aria-describedby={`${ids}-u`}
            onChange={(e) => {
              setUsername(e.target.value);
              setTouched((t) => ({ ...t, u: true }));
            }}
          />
          <FieldError id={`${ids}-u`} message={uProblem} />
        </label>
        <label>
          Password
          <input
            type="password"
            value={password}
            autoComplete="new-password"
            data-testid="credential-password"
            aria-invalid={pProblem ? true : undefined}
            aria-describedby={`${ids}-p ${ids}-s`}
            onChange={(e) => {
              setPassword(e.target.value);
              setTouched((t) => ({ ...t, p: true }));
            }}
          />
          <FieldError id={`${ids}-p`} message={pProblem} />
          <span id={`${ids}-s`}>
            <StrengthMeter password={password} />
          </span>
        </label>
        <label>
          Expires
          <input type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} />
          <span className="tn-field-note">{pastExpiry ? 'This is in the past.' : 'Empty = never.'}</span>
        </label>
        <label style={{ flexDirection: 'row', alignItems: 'center', gap: 6, marginTop: 18 }}>
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> enabled
        </label>
        <button type="submit" className="primary" disabled={m.busy} data-testid="credential-create">
          Create credential
        </button>
      </form>
      <ErrorNote message={m.error} />
    </section>
  );
}

function ResetPassword({
  credential,
  onClose,
  onDone,
}: {
  credential: Credential | undefined;
  onClose(): void;
  onDone(): void;
}) {
  const m = useMutation();
  const [password, setPassword] = useState('');
  const id = useId();
  const problem = password ? passwordProblem(password) : undefined;
  return (
    <Dialog
      open={!!credential}
      title={`New password for "${credential?.username ?? ''}"`}
      onClose={() => {
        setPassword('');
        m.setError(undefined);
        onClose();
      }}
    >
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          if (!credential || passwordProblem(password)) return;
          const r = await m.attempt('credentials.setPassword', { id: credential.id, password });
          if (r.ok) {
            setPassword('');
            onDone();
            onClose();
          }
        }}
      >
        <p className="muted">
          Clients already connected stay connected; the next login needs the new password.
        </p>
        <input
          type="password"
          autoComplete="new-password"
          aria-label="New password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-describedby={id}
          aria-invalid={problem ? true : undefined}
          style={{ width: '100%' }}
        />
        <FieldError id={id} message={problem} />
        <StrengthMeter password={password} />
        <ErrorNote message={m.error} />
        <div className="tn-actions" style={{ justifyContent: 'flex-end' }}>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={!password || !!problem || m.busy}>
            Set password
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function RulesPanel({
  accountId,
  credentials,
  target,
  onTarget,
}: {
  accountId: string;
  credentials: Credential[];
  target: string | null;
  onTarget(id: string | null): void;
}) {
  const [rules, setRules] = useState<AccessRule[]>([]);
  const [saved, setSaved] = useState<AccessRule[]>([]);
  const [usesTemplate, setUsesTemplate] = useState(false);
  const [loadError, setLoadError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const m = useMutation();
  const credential = credentials.find((c) => c.id === target);

  useEffect(() => {
    let live = true;
    api()
      .call('accessRules.get', { accountId, credentialId: target })
      .then(async (r) => {
        // A credential on the template starts from a copy of it, ready to be made its own.
        const start = r.usesTemplate
          ? (await api().call('accessRules.get', { accountId, credentialId: null })).rules
          : r.rules;
        return { ...r, start };
      })
      .then(
        (r) => {
          if (!live) return;
          setRules(r.start);
          setSaved(r.start);
          setUsesTemplate(r.usesTemplate);
        },
        (err) => live && setLoadError(errorMessage(err)),
      );
    return () => {
      live = false;
    };
  }, [accountId, target]);

  const dirty = JSON.stringify(rules) !== JSON.stringify(saved);

  return (
    <section className="panel" aria-labelledby="tn-rules-title" data-testid="rules-panel">
      <div className="panel-header">
        <h2 id="tn-rules-title">Access rules</h2>
        <label>
          For{' '}
          <select
            value={target ?? ''}
            onChange={(e) => onTarget(e.target.value || null)}
            data-testid="rules-target"
          >
            <option value="">the account's default template</option>
            {credentials.map((c) => (
              <option key={c.id} value={c.id}>
                credential {c.username}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="muted tn-hint" style={{ marginTop: 0 }}>
        {target === null
          ? 'Credentials without rules of their own use this template. New accounts start with "# publish + subscribe".'
          : usesTemplate
            ? `"${credential?.username ?? ''}" has no rules of its own and uses the account template (shown). Saving makes them its own; saving an empty list returns it to the template.`
            : `"${credential?.username ?? ''}" has its own rules. Save an empty list to return it to the account template.`}
      </p>
      <ErrorNote message={loadError} />
      <RulesEditor rules={rules} onChange={setRules} />
      <ErrorNote message={m.error} />
      <div className="tn-actions">
        <button
          type="button"
          className="primary"
          disabled={!dirty || !rulesValid(rules) || m.busy}
          data-testid="rules-save"
          onClick={async () => {
            const r = await m.attempt('accessRules.set', { accountId, credentialId: target, rules });
            if (r.ok) {
              setRules(r.data.rules);
              setSaved(r.data.rules);
              setUsesTemplate(r.data.usesTemplate);
              setNotice('Saved; applies to the next operation of connected clients.');
            }
          }}
        >
          Save rules
        </button>
        {dirty ? (
          <button type="button" onClick={() => setRules(saved)}>
            Revert
          </button>
        ) : null}
        {notice && !dirty ? (
          <span className="tn-ok" data-testid="rules-saved">
            {notice}
          </span>
        ) : null}
      </div>
      <VariablesHelp />
      {credential ? <RuleCheck credential={credential} /> : null}
    </section>
  );
}

function RuleCheck({ credential }: { credential: Credential }) {
  const m = useMutation();
  const [clientId, setClientId] = useState('device-1');
  const [topic, setTopic] = useState('telemetry/device-1/temp');
  const [action, setAction] = useState<'publish' | 'subscribe'>('publish');
  const [answer, setAnswer] = useState<string>();
  return (
    <details className="tn-help">
      <summary>Try a topic</summary>
      <form
        className="tn-form-row"
        onSubmit={async (e) => {
          e.preventDefault();
          const r = await m.attempt('accessRules.check', {
            credentialId: credential.id,
            clientId,
            topic,
            action,
          });
          if (r.ok)
            setAnswer(
              r.data.allowed
                ? `Allowed by "${r.data.matchedRule?.filter}" (${r.data.matchedRule?.action})`
                : 'Refused: no rule matches',
            );
        }}
      >
        <label>
          Client id
          <input value={clientId} onChange={(e) => setClientId(e.target.value)} />
        </label>
        <label>
          Action
          <select value={action} onChange={(e) => setAction(e.target.value as 'publish' | 'subscribe')}>
            <option value="publish">publish</option>
            <option value="subscribe">subscribe</option>
          </select>
        </label>
        <label>
          Topic
          <input className="mono" value={topic} onChange={(e) => setTopic(e.target.value)} />
        </label>
        <button type="submit" disabled={!topic || !clientId}>
          Check
        </button>
      </form>
      {answer ? (
        <p className={answer.startsWith('Allowed') ? 'tn-ok' : 'tn-bad'} data-testid="rule-check-answer">
          {answer}
        </p>
      ) : null}
      <ErrorNote message={m.error} />
    </details>
  );
}
