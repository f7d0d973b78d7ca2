import { useState } from 'react';
import {
  type AccessRule,
  type ApiKey,
  type ApiKeyScope,
  type ApiKeyType,
  apiKeyScopeSchema,
  apiKeyTypeSchema,
  tenancyMethods,
} from '../../../../../preload/contract/tenancy';
import { useMutation, useQuery } from '../../../api/hooks';
import { ConfirmDialog, Dialog, ErrorNote, PageHeader, StatusBadge } from '../../../components';
import { AccountPicker, useAccounts } from '../shared/AccountPicker';
import { formatWhen, fromLocalInput } from '../shared/dates';
import { RulesEditor, rulesValid, VariablesHelp } from '../shared/RulesEditor';
import { accountById } from '../shared/store';

const SCOPES = apiKeyScopeSchema.options;
const TYPES = apiKeyTypeSchema.options;
const SCOPE_TEXT: Record<ApiKeyScope, string> = {
  mqtt: 'connect over MQTT (username "authorization", the key as password)',
  'api.read': 'read through the operator API',
  'api.write': 'change through the operator API',
};
const TYPE_TEXT: Record<ApiKeyType, string> = {
  operator: 'a person or script administering the account',
  application: 'a back-end application exchanging data with devices',
  device: 'a single device logging in with the key',
};

function keyStatus(k: ApiKey): string {
  if (k.revokedAt !== null) return 'revoked';
  if (k.expiresAt !== null && k.expiresAt <= Date.now()) return 'expired';
  return 'active';
}

/** API keys of an account: create (shown once), change scopes/permissions, revoke. */
export function ApiKeysPage() {
  const { accounts, selectedId, error } = useAccounts();
  const account = accountById(accounts, selectedId);
  const list = useQuery('apiKeys.list', { accountId: selectedId ?? '' }, { enabled: !!selectedId });
  const keys = selectedId ? (list.data?.apiKeys ?? []) : [];
  const [created, setCreated] = useState<{ key: string; apiKey: ApiKey }>();
  const [revoking, setRevoking] = useState<ApiKey>();
  const [editing, setEditing] = useState<ApiKey>();
  const m = useMutation();

  return (
    <div className="page tn-page" data-testid="tenancy-apikeys-page">
      <PageHeader title="API keys">
        <AccountPicker />
      </PageHeader>
      <ErrorNote message={error ?? (selectedId ? list.error : undefined)} />
      <section className="panel">
        <h2>API keys{account ? ` of ${account.name}` : ''}</h2>
        {keys.length === 0 ? (
          <p className="tn-empty">No API keys yet.</p>
        ) : (
          <div className="tn-table-wrap">
            <table className="grid tn-table" data-testid="apikeys-table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Type</th>
                  <th>Key starts</th>
                  <th>Scopes</th>
                  <th>Permissions</th>
                  <th>Status</th>
                  <th>Expires</th>
                  <th>Last used</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {keys.map((k) => (
                  <tr key={k.id} data-testid={`apikey-${k.name}`}>
                    <td>{k.name}</td>
                    <td>{k.type}</td>
                    <td className="mono">{k.hint}</td>
                    <td>{k.scopes.join(', ') || '–'}</td>
                    <td title={k.permissions.map((p) => `${p.filter} (${p.action})`).join('\n')}>
                      {k.permissions.length} rule{k.permissions.length === 1 ? '' : 's'}
                    </td>
                    <td>
                      <StatusBadge status={keyStatus(k)} />
                    </td>
                    <td>{formatWhen(k.expiresAt)}</td>
                    <td>{formatWhen(k.lastUsedAt)}</td>
                    <td>
                      <div className="tn-row-actions">
                        <button type="button" disabled={k.revokedAt !== null} onClick={() => setEditing(k)}>
                          Permissions…
                        </button>
                        <button
                          type="button"
                          className="danger"
                          disabled={k.revokedAt !== null}
                          onClick={() => {
                            m.setError(undefined);
                            setRevoking(k);
                          }}
                          data-testid="apikey-revoke"
                        >
                          Revoke…
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
        <CreateKey
          key={selectedId}
          accountId={selectedId}
          onCreated={(c) => {
            setCreated(c);
            list.reload();
          }}
        />
      ) : null}

      <Dialog
        open={!!created}
        title="Your new API key"
        onClose={() => setCreated(undefined)}
        testId="apikey-created"
      >
        {created ? <ShowOnce created={created} onClose={() => setCreated(undefined)} /> : null}
      </Dialog>
      <Dialog
        open={!!editing}
        title={`Change "${editing?.name ?? ''}"`}
        onClose={() => setEditing(undefined)}
      >
        {editing ? (
          <EditKey
            apiKey={editing}
            onDone={() => {
              setEditing(undefined);
              list.reload();
            }}
            onCancel={() => setEditing(undefined)}
          />
        ) : null}
      </Dialog>
      <ConfirmDialog
        open={!!revoking}
        title={`Revoke "${revoking?.name ?? ''}"?`}
        message={<p>Clients using the key are disconnected at once; a revoked key cannot be restored.</p>}
        confirmLabel="Revoke"
        error={m.error}
        busy={m.busy}
        onCancel={() => setRevoking(undefined)}
        onConfirm={async () => {
          if (!revoking) return;
          const r = await m.attempt('apiKeys.revoke', { id: revoking.id });
          if (r.ok) {
            setRevoking(undefined);
            list.reload();
          }
        }}
      />
    </div>
  );
}

function ShowOnce({ created, onClose }: { created: { key: string; apiKey: ApiKey }; onClose(): void }) {
  const [copied, setCopied] = useState<string>();
  return (
    <>
      <p>
        Copy the key for <strong>{created.apiKey.name}</strong> now: Fieldbench stores only a hash and{' '}
        <strong>will not show it again</strong>.
      </p>
      <div className="tn-secret">
        <code data-testid="apikey-value">{created.key}</code>
        <button
          type="button"
          className="primary"
          data-testid="apikey-copy"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(created.key);
              setCopied('Copied to the clipboard.');
            } catch {
              setCopied('The clipboard is not available here: select the key and copy it by hand.');
            }
          }}
        >
          Copy
        </button>
      </div>
      {copied ? (
        <p className="muted" role="status">
          {copied}
        </p>
      ) : null}
      {created.apiKey.scopes.includes('mqtt') ? (
        <p className="muted tn-hint">
          MQTT: log in with username <code>authorization</code> and this key as the password.
        </p>
      ) : null}
      <div className="tn-actions" style={{ justifyContent: 'flex-end' }}>
        <button type="button" onClick={onClose}>
          I have copied it
        </button>
      </div>
    </>
  );
}

function ScopePicker({ scopes, onChange }: { scopes: ApiKeyScope[]; onChange(s: ApiKeyScope[]): void }) {
  return (
    <fieldset className="tn-fieldset">
      <legend className="muted">Scopes</legend>
      {SCOPES.map((s) => (
        <label key={s} style={{ display: 'block' }}>
          <input
            type="checkbox"
            checked={scopes.includes(s)}
            data-testid={`scope-${s}`}
            onChange={(e) => onChange(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))}
          />{' '}
          <code>{s}</code> — <span className="muted">{SCOPE_TEXT[s]}</span>
        </label>
      ))}
    </fieldset>
  );
}

function CreateKey({
  accountId,
  onCreated,
}: {
  accountId: string;
  onCreated(c: { key: string; apiKey: ApiKey }): void;
}) {
  const m = useMutation();
  const [name, setName] = useState('');
  const [type, setType] = useState<ApiKeyType>('application');
  const [scopes, setScopes] = useState<ApiKeyScope[] | undefined>(undefined);
  const [permissions, setPermissions] = useState<AccessRule[]>([]);
  const [expires, setExpires] = useState('');
  const request = {
    accountId,
    name: name.trim(),
    type,
    ...(scopes ? { scopes } : {}),
    permissions,
    expiresAt: fromLocalInput(expires),
  };
  const parsed = tenancyMethods['apiKeys.create'].request.safeParse(request);
  const nameProblem = name && !parsed.success && parsed.error.issues.some((i) => i.path[0] === 'name');
  const valid = parsed.success && rulesValid(permissions);

  return (
    <section className="panel">
      <h2>New API key</h2>
      <form
        data-testid="apikey-form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!valid) return;
          const r = await m.attempt('apiKeys.create', request);
          if (r.ok) {
            setName('');
            setPermissions([]);
            onCreated(r.data);
          }
        }}
      >
        <div className="tn-form-row">
          <label>
            Name
            <input
              value={name}
              onChange={(e) => setName(e.target.value)}
              data-testid="apikey-name"
              aria-invalid={nameProblem ? true : undefined}
            />
            <span className="ui-field-error">{nameProblem ? '1 to 100 characters.' : ''}</span>
          </label>
          <label>
            Type
            <select
              value={type}
              onChange={(e) => setType(apiKeyTypeSchema.parse(e.target.value))}
              data-testid="apikey-type"
            >
              {TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
            <span className="tn-field-note">{TYPE_TEXT[type]}</span>
          </label>
          <label>
            Expires
            <input type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} />
            <span className="tn-field-note">Empty = never.</span>
          </label>
        </div>
        <label style={{ display: 'block', margin: '8px 0' }}>
          <input
            type="checkbox"
            checked={scopes === undefined}
            onChange={(e) => setScopes(e.target.checked ? undefined : [])}
          />{' '}
          default scopes for {type === 'operator' ? 'an' : 'a'} {type} key
        </label>
        {scopes ? <ScopePicker scopes={scopes} onChange={setScopes} /> : null}
        <h3 className="tn-h3">MQTT permissions</h3>
        <RulesEditor rules={permissions} onChange={setPermissions} testId="apikey-permissions" />
        <VariablesHelp />
        <ErrorNote message={m.error} />
        <div className="tn-actions">
          <button type="submit" className="primary" disabled={!valid || m.busy} data-testid="apikey-create">
            Create key
          </button>
        </div>
      </form>
    </section>
  );
}

function EditKey({ apiKey, onDone, onCancel }: { apiKey: ApiKey; onDone(): void; onCancel(): void }) {
  const m = useMutation();
  const [scopes, setScopes] = useState<ApiKeyScope[]>(apiKey.scopes);
  const [permissions, setPermissions] = useState<AccessRule[]>(apiKey.permissions);
  return (
    <>
      <ScopePicker scopes={scopes} onChange={setScopes} />
      <h3 className="tn-h3">MQTT permissions</h3>
      <RulesEditor rules={permissions} onChange={setPermissions} testId="apikey-edit-permissions" />
      <p className="muted tn-hint">Changes apply to the very next operation of clients using the key.</p>
      <ErrorNote message={m.error} />
      <div className="tn-actions" style={{ justifyContent: 'flex-end' }}>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          className="primary"
          disabled={!rulesValid(permissions) || m.busy}
          onClick={async () => {
            const r = await m.attempt('apiKeys.update', { id: apiKey.id, scopes, permissions });
            if (r.ok) onDone();
          }}
        >
          Save
        </button>
      </div>
    </>
  );
}
