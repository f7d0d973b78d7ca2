import { useId, useState } from 'react';
import { z } from 'zod';
import {
  type Endpoint,
  type EndpointScheme,
  endpointSchemeSchema,
  endpointSchemes,
  type Reachability,
  serviceEndpointSchema,
} from '../../../../../preload/contract/tenancy';
import { useMutation, useQuery } from '../../../api/hooks';
import {
  ConfirmDialog,
  Dialog,
  ErrorNote,
  FieldError,
  PageHeader,
  useContractForm,
} from '../../../components';
import { AccountPicker, useAccounts } from '../shared/AccountPicker';
import { confirmText, needsConfirm } from '../shared/confirm';
import { accountById } from '../shared/store';

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function domainOk(domain: string): boolean {
  if (IPV4.test(domain)) return true;
  const name = domain.endsWith('.') ? domain.slice(0, -1) : domain;
  if (!name || name.length > 253) return false;
  const labels = name.split('.');
  if (labels.every((l) => /^\d+$/.test(l))) return false;
  return labels.every((l) => LABEL.test(l));
}

/** The endpoint form, validated with the contract's scheme/port schemas plus the core's domain rules. */
const endpointForm = z.object({
  scheme: endpointSchemeSchema,
  domain: z
    .string()
    .trim()
    .min(1, 'Enter a domain name.')
    .refine(domainOk, 'Use dot-separated labels of letters, digits and inner hyphens, or an IPv4 address.'),
  port: serviceEndpointSchema.shape.port,
});

const DEFAULT_PORT: Record<EndpointScheme, number> = { mqtt: 1883, mqtts: 8883, ws: 8080, wss: 8443 };
const isSecure = (s: EndpointScheme) => s === 'mqtts' || s === 'wss';

/** Per-account endpoints: own or inherited, add/edit/delete with confirmation, reachability checks. */
export function EndpointsPage() {
  const { accounts, selectedId, select, error } = useAccounts();
  const account = accountById(accounts, selectedId);
  const list = useQuery('endpoints.list', { accountId: selectedId ?? '' }, { enabled: !!selectedId });
  const [editing, setEditing] = useState<Endpoint>();
  const [deleting, setDeleting] = useState<Endpoint>();
  const [checks, setChecks] = useState<Record<string, Reachability | 'running' | string>>({});
  const del = useMutation();
  const probe = useMutation();
  const [needsDeleteConfirm, setNeedsDeleteConfirm] = useState(false);
  const [dependents, setDependents] = useState('');

  const inheritedFrom = accountById(accounts, list.data?.inheritedFrom);
  const endpoints = selectedId && list.data ? list.data.endpoints : [];
  const own = !list.data?.inheritedFrom;

  const check = async (e: Endpoint) => {
    setChecks((c) => ({ ...c, [e.id]: 'running' }));
    const r = await probe.attempt('endpoints.checkReachability', { id: e.id, timeoutMs: 3000 });
    setChecks((c) => ({ ...c, [e.id]: r.ok ? r.data : r.message }));
  };

  return (
    <div className="page tn-page" data-testid="tenancy-endpoints-page">
      <PageHeader title="Endpoints">
        <AccountPicker />
      </PageHeader>
      <ErrorNote message={error ?? (selectedId ? list.error : undefined)} />
      <p className="tn-note">
        Endpoints tell an account's devices where to connect. Defining one does <strong>not</strong> publish
        anything to DNS: make sure the name resolves for the devices (and, for the embedded broker, that a
        listener runs on that port).
      </p>
      <section className="panel">
        <div className="panel-header">
          <h2>{account ? `Endpoints of ${account.name}` : 'Endpoints'}</h2>
          {list.data ? (
            own ? (
              <span className="ui-badge" data-testid="endpoints-origin">
                {endpoints.length > 0 ? 'own' : 'none defined'}
              </span>
            ) : (
              <span className="ui-badge" data-testid="endpoints-origin">
                inherited from {inheritedFrom?.name ?? list.data.inheritedFrom}
              </span>
            )
          ) : null}
        </div>
        {!own && inheritedFrom ? (
          <p className="muted tn-hint" style={{ marginTop: 0 }}>
            This account has no endpoints of its own, so its devices use those of{' '}
            <button type="button" className="tn-link" onClick={() => select(inheritedFrom.id)}>
              {inheritedFrom.name}
            </button>
            . Adding one here stops the inheritance for this account and its sub-accounts.
          </p>
        ) : null}
        {endpoints.length === 0 ? (
          <p className="tn-empty">No endpoints for this account or its ancestors yet.</p>
        ) : (
          <table className="grid tn-table" data-testid="endpoints-table">
            <thead>
              <tr>
                <th>Endpoint</th>
                <th>Secure</th>
                <th>Reachability</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {endpoints.map((e) => {
                const c = checks[e.id];
                return (
                  <tr key={e.id} data-testid={`endpoint-${e.scheme}-${e.domain}-${e.port}`}>
                    <td className="mono">
                      {e.scheme}://{e.domain}:{e.port}
                    </td>
                    <td>{e.secure ? 'TLS' : 'plain'}</td>
                    <td className="tn-wrap-cell">
                      {c === undefined ? (
                        <span className="muted">not checked</span>
                      ) : c === 'running' ? (
                        <span className="muted">checking…</span>
                      ) : typeof c === 'string' ? (
                        <span className="tn-bad">{c}</span>
                      ) : (
                        <ReachabilityView r={c} />
                      )}
                    </td>
                    <td>
                      <div className="tn-row-actions">
                        <button type="button" onClick={() => void check(e)} data-testid="endpoint-check">
                          Check
                        </button>
                        {own ? (
                          <>
                            <button type="button" onClick={() => setEditing(e)}>
                              Edit
                            </button>
                            <button
                              type="button"
                              className="danger"
                              onClick={() => {
                                del.setError(undefined);
                                setNeedsDeleteConfirm(false);
                                setDeleting(e);
                              }}
                            >
                              Delete
                            </button>
                          </>
                        ) : null}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
      {selectedId ? (
        <section className="panel">
          <h2>Add an endpoint{account ? ` to ${account.name}` : ''}</h2>
          <EndpointForm
            key={selectedId}
            accountId={selectedId}
            onSaved={() => list.reload()}
            submitLabel="Add endpoint"
          />
        </section>
      ) : null}

      <Dialog
        open={!!editing}
        title="Edit endpoint"
        onClose={() => setEditing(undefined)}
        testId="endpoint-edit"
      >
        {editing ? (
          <EndpointForm
            accountId={editing.accountId}
            existing={editing}
            submitLabel="Save"
            onSaved={() => {
              setEditing(undefined);
              list.reload();
            }}
            onCancel={() => setEditing(undefined)}
          />
        ) : null}
      </Dialog>

      <ConfirmDialog
        open={!!deleting}
        title={needsDeleteConfirm ? 'This endpoint is in use' : 'Delete endpoint?'}
        message={
          deleting ? (
            needsDeleteConfirm ? (
              <p data-testid="endpoint-dependents">{dependents}</p>
            ) : (
              <p>
                Delete <code>{`${deleting.scheme}://${deleting.domain}:${deleting.port}`}</code>? Devices told
                to use it will need another endpoint.
              </p>
            )
          ) : null
        }
        error={del.error}
        confirmLabel={needsDeleteConfirm ? 'Delete anyway' : 'Delete'}
        busy={del.busy}
        onCancel={() => {
          setDeleting(undefined);
          del.setError(undefined);
        }}
        onConfirm={async () => {
          if (!deleting) return;
          const r = await del.attempt('endpoints.delete', { id: deleting.id, confirm: needsDeleteConfirm });
          if (r.ok) {
            setDeleting(undefined);
            list.reload();
          } else if (needsConfirm(r.error)) {
            setDependents(confirmText(r.error));
            setNeedsDeleteConfirm(true);
            del.setError(undefined);
          }
        }}
      />
    </div>
  );
}

function ReachabilityView({ r }: { r: Reachability }) {
  const mark = (ok: boolean) => (ok ? <span className="tn-ok">✓</span> : <span className="tn-bad">✗</span>);
  return (
    <div data-testid="reachability">
      <strong className={r.reachable ? 'tn-ok' : 'tn-bad'}>
        {r.reachable ? 'Reachable' : 'Not reachable'}
      </strong>
      <ul className="tn-checks">
        <li>
          {mark(r.listener.ok)}
          <span className="muted">Listener</span>
          <span>{r.listener.detail}</span>
        </li>
        <li>
          {mark(r.dns.ok)}
          <span className="muted">Name resolves</span>
          <span>{r.dns.detail}</span>
        </li>
        <li>
          {mark(r.connect.ok)}
          <span className="muted">Test connection</span>
          <span>
            {r.connect.detail} ({Math.round(r.connect.elapsedMs)} ms)
          </span>
        </li>
      </ul>
    </div>
  );
}

function EndpointForm({
  accountId,
  existing,
  submitLabel,
  onSaved,
  onCancel,
}: {
  accountId: string;
  existing?: Endpoint;
  submitLabel: string;
  onSaved(): void;
  onCancel?(): void;
}) {
  const m = useMutation();
  const ids = useId();
  const initial = () => ({
    scheme: existing?.scheme ?? ('mqtt' as EndpointScheme),
    domain: existing?.domain ?? '',
    port: String(existing?.port ?? DEFAULT_PORT.mqtt),
  });
  const form = useContractForm({
    schema: endpointForm,
    initial,
    toRequest: (d: ReturnType<typeof initial>) => ({
      ...d,
      port: d.port.trim() === '' ? Number.NaN : Number(d.port),
    }),
    messages: { port: 'Use a whole number from 1 to 65535.' },
  });
  const { scheme, domain, port } = form.draft;
  const issue = form.error;
  const [confirmMessage, setConfirmMessage] = useState<string>();

  const save = async (confirm: boolean) => {
    const parsed = form.submit();
    if (!parsed) return;
    const fields = { ...parsed, secure: isSecure(parsed.scheme) };
    const r = existing
      ? await m.attempt('endpoints.update', { id: existing.id, ...fields, confirm })
      : await m.attempt('endpoints.create', { accountId, ...fields });
    if (r.ok) {
      setConfirmMessage(undefined);
      if (!existing) form.reset({ ...form.draft, domain: '' });
      onSaved();
    } else if (needsConfirm(r.error)) {
      setConfirmMessage(confirmText(r.error));
      m.setError(undefined);
    }
  };

  return (
    <>
      <form
        className="tn-form-row"
        data-testid={existing ? 'endpoint-edit-form' : 'endpoint-form'}
        onSubmit={(e) => {
          e.preventDefault();
          void save(false);
        }}
      >
        <label>
          Scheme
          <select
            value={scheme}
            data-testid="endpoint-scheme"
            onChange={(e) => {
              const next = endpointSchemeSchema.parse(e.target.value);
              // Follow the default port while the user has not typed one.
              if (Number(port) === DEFAULT_PORT[scheme]) form.set('port', String(DEFAULT_PORT[next]));
              form.set('scheme', next);
            }}
          >
            {endpointSchemes.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Domain
          <input
            value={domain}
            placeholder="broker.example.com"
            data-testid="endpoint-domain"
            aria-invalid={issue('domain') ? true : undefined}
            aria-describedby={`${ids}-d`}
            onChange={(e) => form.set('domain', e.target.value)}
          />
          <FieldError id={`${ids}-d`} message={issue('domain')} />
        </label>
        <label>
          Port
          <input
            value={port}
            inputMode="numeric"
            size={7}
            data-testid="endpoint-port"
            aria-invalid={issue('port') ? true : undefined}
            aria-describedby={`${ids}-p`}
            onChange={(e) => form.set('port', e.target.value)}
          />
          <FieldError id={`${ids}-p`} message={issue('port')} />
        </label>
        <p className="muted tn-field-note">
          {isSecure(scheme)
            ? 'Secure (TLS): devices verify the server certificate.'
            : 'Plain: not encrypted.'}
        </p>
        <button
          type="submit"
          className="primary"
          disabled={m.busy || !form.valid}
          data-testid="endpoint-save"
        >
          {submitLabel}
        </button>
        {onCancel ? (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </form>
      <ErrorNote message={m.error} />
      {confirmMessage ? (
        <div
          className="tn-note"
          role="alertdialog"
          aria-label="Confirm change"
          data-testid="endpoint-confirm"
        >
          <p style={{ margin: '0 0 6px' }}>{confirmMessage}</p>
          <div className="tn-actions">
            <button type="button" onClick={() => setConfirmMessage(undefined)}>
              Keep as is
            </button>
            <button type="button" className="primary danger" onClick={() => void save(true)}>
              Change anyway
            </button>
          </div>
        </div>
      ) : null}
    </>
  );
}
