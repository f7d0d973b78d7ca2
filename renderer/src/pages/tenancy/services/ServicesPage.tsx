import { useState } from 'react';
import {
  connectionOptions,
  type MessagingService,
  serviceEndpointSchema,
} from '../../../../../preload/contract/tenancy';
import { useMutation } from '../../../api/hooks';
import { ConfirmDialog, ErrorNote, PageHeader } from '../../../components';
import { useAccounts } from '../shared/AccountPicker';
import { formatWhen } from '../shared/dates';
import { accountById, serviceById } from '../shared/store';

const OPTION_TEXT: Record<string, string> = {
  mqtt: 'MQTT over TCP',
  mqtts: 'MQTT over TLS',
  'mqtts-mutual': 'MQTT over TLS with client certificates',
  ws: 'MQTT over WebSocket',
  wss: 'MQTT over secure WebSocket',
};

/** Messaging service instances, what each offers, and which root/level-one accounts use which. */
export function ServicesPage() {
  const { services, error } = useAccounts();
  const [selected, setSelected] = useState<string>();
  const [tab, setTab] = useState<'capabilities' | 'accounts'>('capabilities');
  const current = serviceById(services, selected) ?? services[0];

  return (
    <div className="page tn-page" data-testid="tenancy-services-page">
      <PageHeader title="Messaging services" />
      <ErrorNote message={error} />
      <div className="tn-cards">
        {services.map((s) => (
          <button
            type="button"
            key={s.id}
            className="panel tn-card"
            aria-pressed={s.id === current?.id}
            onClick={() => setSelected(s.id)}
            data-testid={`service-card-${s.name}`}
            style={{ textAlign: 'left' }}
          >
            <div className="panel-header">
              <h2>{s.name}</h2>
              <span className="ui-badge">{s.kind}</span>
            </div>
            <div>
              {connectionOptions.map((o) => (
                <span key={o} className={`tn-chip ${s.options.includes(o) ? 'on' : 'off'}`}>
                  {o}
                </span>
              ))}
            </div>
            <div className="muted tn-hint">
              {s.assignedAccountIds.length} account{s.assignedAccountIds.length === 1 ? '' : 's'} assigned
            </div>
          </button>
        ))}
      </div>
      {current ? (
        <section className="panel" aria-label={`Service ${current.name}`}>
          <div className="tn-tabs" role="tablist" aria-label="Service details">
            {(['capabilities', 'accounts'] as const).map((t) => (
              <button
                key={t}
                type="button"
                role="tab"
                aria-selected={tab === t}
                data-testid={`service-tab-${t}`}
                onClick={() => setTab(t)}
                id={`service-tab-${t}`}
                tabIndex={tab === t ? 0 : -1}
                onKeyDown={(e) => {
                  if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
                  const next = t === 'accounts' ? 'capabilities' : 'accounts';
                  setTab(next);
                  document.getElementById(`service-tab-${next}`)?.focus();
                }}
              >
                {t === 'capabilities' ? 'Capabilities' : 'Accounts'}
              </button>
            ))}
          </div>
          <div role="tabpanel">
            {tab === 'capabilities' ? (
              <Capabilities service={current} />
            ) : (
              <AssignedAccounts service={current} />
            )}
          </div>
          <DeleteService key={current.id} service={current} onDeleted={() => setSelected(undefined)} />
        </section>
      ) : null}
      <CreateExternal />
    </div>
  );
}

function Capabilities({ service }: { service: MessagingService }) {
  return (
    <>
      <dl className="facts">
        <dt>Kind</dt>
        <dd>
          {service.kind === 'embedded'
            ? 'the broker embedded in this Fieldbench'
            : 'an external broker cluster, declared by its endpoints'}
        </dd>
        <dt>Endpoints</dt>
        <dd className="mono">
          {service.endpoints.length > 0
            ? service.endpoints.map((e) => `${e.scheme}://${e.host}:${e.port}`).join(', ')
            : '–'}
        </dd>
        <dt>Created</dt>
        <dd>{formatWhen(service.createdAt)}</dd>
      </dl>
      <table className="grid tn-table" data-testid="service-capabilities">
        <thead>
          <tr>
            <th>Connection option</th>
            <th>Offered</th>
            <th>Meaning</th>
          </tr>
        </thead>
        <tbody>
          {connectionOptions.map((o) => {
            const on = service.options.includes(o);
            return (
              <tr key={o}>
                <td className="mono">{o}</td>
                <td className={on ? 'tn-ok' : 'muted'}>
                  {on ? '✓ yes' : service.kind === 'embedded' ? 'no listener running' : 'no'}
                </td>
                <td className="muted">{OPTION_TEXT[o]}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {service.kind === 'embedded' ? (
        <p className="muted tn-hint">
          The embedded broker offers exactly the options it has a running listener for (Broker page).
        </p>
      ) : null}
    </>
  );
}

function AssignedAccounts({ service }: { service: MessagingService }) {
  const { accounts, services, load } = useAccounts();
  const m = useMutation();
  const candidates = accounts
    .filter((a) => a.depth <= 1)
    .sort((a, b) => a.depth - b.depth || a.name.localeCompare(b.name));
  const assign = async (accountId: string, serviceId: string | null) => {
    const r = await m.attempt('accounts.assignService', { accountId, serviceId });
    if (r.ok) await load();
  };
  return (
    <>
      <p className="muted tn-hint" style={{ marginTop: 0 }}>
        The root and level-one accounts are assigned explicitly; every deeper account inherits its level-one
        ancestor's service. Unassigning disconnects the devices of the whole subtree.
      </p>
      <ErrorNote message={m.error} />
      <table className="grid tn-table" data-testid="service-accounts">
        <thead>
          <tr>
            <th>Account</th>
            <th>Level</th>
            <th>Current service</th>
            <th>Sub-accounts</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {candidates.map((a) => {
            const here = a.serviceId === service.id;
            const other = serviceById(services, a.serviceId);
            return (
              <tr key={a.id} data-testid={`assign-row-${a.name}`}>
                <td>
                  <strong>{a.name}</strong>
                </td>
                <td>{a.depth === 0 ? 'root' : 'level one'}</td>
                <td className={here ? 'tn-ok' : other ? '' : 'tn-warn'}>
                  {here ? `✓ ${service.name}` : (other?.name ?? 'none')}
                </td>
                <td>{a.childCount}</td>
                <td>
                  {here ? (
                    <button type="button" disabled={m.busy} onClick={() => void assign(a.id, null)}>
                      Unassign
                    </button>
                  ) : (
                    <button
                      type="button"
                      className="primary"
                      disabled={m.busy}
                      data-testid={`assign-${a.name}`}
                      onClick={() => void assign(a.id, service.id)}
                    >
                      {other ? `Move to ${service.name}` : `Assign to ${service.name}`}
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {service.assignedAccountIds.length > 0 ? (
        <p className="muted tn-hint">
          Assigned: {service.assignedAccountIds.map((id) => accountById(accounts, id)?.name ?? id).join(', ')}
        </p>
      ) : null}
    </>
  );
}

/** Deletes an external service after confirmation; the server refuses while accounts use it. */
function DeleteService({ service, onDeleted }: { service: MessagingService; onDeleted(): void }) {
  const { accounts, load } = useAccounts();
  const m = useMutation();
  const [open, setOpen] = useState(false);
  if (service.kind === 'embedded') {
    return (
      <p className="muted tn-hint" data-testid="service-delete-note">
        The embedded service cannot be deleted: it is the broker inside this Fieldbench.
      </p>
    );
  }
  const users = service.assignedAccountIds.map((id) => accountById(accounts, id)?.name ?? id);
  const close = () => {
    setOpen(false);
    m.setError(undefined);
  };
  return (
    <div className="tn-actions">
      <button
        type="button"
        className="danger"
        data-testid="delete-service"
        onClick={() => {
          m.setError(undefined);
          setOpen(true);
        }}
      >
        Delete service…
      </button>
      <ConfirmDialog
        open={open}
        title={`Delete messaging service "${service.name}"?`}
        message={
          <>
            <p>
              The declaration of this external broker cluster (
              <span className="mono">
                {service.endpoints.map((e) => `${e.scheme}://${e.host}:${e.port}`).join(', ')}
              </span>
              ) is removed. Nothing on the cluster itself changes.
            </p>
            {users.length > 0 ? (
              <p className="tn-warn" data-testid="service-delete-users">
                Still assigned to {users.join(', ')}: a service in use cannot be deleted; assign those
                accounts another service first.
              </p>
            ) : (
              <p>No account uses it.</p>
            )}
          </>
        }
        confirmLabel="Delete"
        error={m.error}
        busy={m.busy}
        onCancel={close}
        onConfirm={async () => {
          const r = await m.attempt('services.delete', { id: service.id });
          if (!r.ok) {
            // The server knows best who uses it; refresh what the page shows.
            await load();
            return;
          }
          setOpen(false);
          onDeleted();
          await load();
        }}
      />
    </div>
  );
}

function CreateExternal() {
  const { load } = useAccounts();
  const m = useMutation();
  const [name, setName] = useState('');
  const [endpoint, setEndpoint] = useState('mqtts://broker.example.com:8883');
  const match = /^(mqtts?|wss?):\/\/([^:/\s]+):(\d+)$/.exec(endpoint.trim());
  const parsedEndpoint = match
    ? serviceEndpointSchema.safeParse({ scheme: match[1], host: match[2], port: Number(match[3]) })
    : undefined;
  const nameProblem =
    name && !/^[A-Za-z0-9._-]{1,64}$/.test(name)
      ? 'Use 1 to 64 letters, digits, ".", "_" or "-".'
      : undefined;
  const endpointProblem = parsedEndpoint?.success
    ? undefined
    : 'Write it as scheme://host:port (mqtt, mqtts, ws, wss).';
  return (
    <details className="panel">
      <summary style={{ cursor: 'pointer', color: 'var(--accent)' }}>
        Declare an external broker cluster
      </summary>
      <form
        className="tn-form-row"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!parsedEndpoint?.success || nameProblem || !name) return;
          const r = await m.attempt('services.createExternal', { name, endpoints: [parsedEndpoint.data] });
          if (r.ok) {
            setName('');
            await load();
          }
        }}
      >
        <label>
          Name
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={nameProblem ? true : undefined}
          />
          <span className="ui-field-error">{nameProblem ?? ''}</span>
        </label>
        <label>
          Endpoint
          <input
            className="mono"
            value={endpoint}
            onChange={(e) => setEndpoint(e.target.value)}
            aria-invalid={endpointProblem ? true : undefined}
          />
          <span className="ui-field-error">{endpointProblem ?? ''}</span>
        </label>
        <button type="submit" disabled={!name || !!nameProblem || !!endpointProblem || m.busy}>
          Declare
        </button>
      </form>
      <ErrorNote message={m.error} />
    </details>
  );
}
