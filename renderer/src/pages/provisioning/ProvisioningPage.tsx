import { useState } from 'react';
import { useQuery } from '../../api/hooks';
import { ErrorNote } from '../../components';
import { formatTime } from '../../format';
import { CreateRequestForm } from './CreateRequestForm';
import { CsvImport } from './CsvImport';
import { RequestDetail } from './RequestDetail';
import './provisioning.css';

/** Provision requests: the table, create form, CSV import, and the selected request's live timeline. */
export function ProvisioningPage() {
  const [selectedId, setSelectedId] = useState<string>();
  // Hundreds of devices provisioning at once send thousands of steps: bursts coalesce into one read.
  const list = useQuery('provisioning.list', {}, { refetchOn: ['provisioning.changed'] });
  const info = useQuery('provisioning.info', {});
  const accounts = useQuery('accounts.list', {});
  const refresh = list.reload;

  const requests = list.data?.requests ?? [];
  const selected = requests.find((r) => r.id === selectedId);
  const provisionAccountId = info.data?.provisionAccountId;
  const targets = (accounts.data?.accounts ?? [])
    .filter((a) => a.id !== provisionAccountId)
    .map((a) => ({ id: a.id, name: a.name }));
  const plainUrls = (info.data?.brokerUrls ?? []).filter((u) => !u.secure);

  return (
    <div className="page pv-page" data-testid="provisioning-page">
      <h1>Provisioning</h1>
      <ErrorNote message={list.error ?? info.error ?? accounts.error} />
      {info.data ? (
        <p className="muted">
          Provision account <span className="mono">{info.data.provisionAccountName}</span>; provision broker{' '}
          {info.data.brokerUrls.map((u) => (
            <span key={u.url} className="mono">
              {u.url}{' '}
            </span>
          ))}
          {plainUrls.length > 0 ? (
            <span className="pv-warning">
              (plain mqtt URLs send throw-away credentials unencrypted; prefer mqtts)
            </span>
          ) : null}
        </p>
      ) : null}
      <div className="pv-columns">
        <section className="panel">
          <h2>Requests</h2>
          {requests.length === 0 ? (
            <p className="muted">No provision requests yet.</p>
          ) : (
            <table className="grid" data-testid="provisioning-table">
              <thead>
                <tr>
                  <th>Client id</th>
                  <th>Target account</th>
                  <th>Status</th>
                  <th>Expires</th>
                  <th>Last step</th>
                </tr>
              </thead>
              <tbody>
                {requests.map((r) => (
                  <tr
                    key={r.id}
                    aria-selected={r.id === selectedId}
                    data-testid={`provisioning-row-${r.clientId}`}
                    onClick={() => setSelectedId(r.id)}
                    style={{ cursor: 'pointer' }}
                  >
                    <td className="mono">{r.clientId}</td>
                    <td>{r.targetAccountName}</td>
                    <td>
                      <span className="pv-status" data-status={r.status}>
                        {r.status}
                      </span>
                      {r.enabled ? '' : ' (disabled)'}
                    </td>
                    <td>{r.expiresAt === null ? '–' : formatTime(r.expiresAt)}</td>
                    <td>
                      {r.lastStepAt === null ? '–' : formatTime(r.lastStepAt)} {r.lastReason ?? ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        {selected ? (
          <RequestDetail request={selected} onChanged={refresh} />
        ) : (
          <section className="panel muted">Select a request to see its timeline.</section>
        )}
      </div>
      <CreateRequestForm
        accounts={targets}
        onCreated={(id) => {
          setSelectedId(id);
          refresh();
        }}
      />
      <CsvImport accounts={targets} onImported={refresh} />
    </div>
  );
}
