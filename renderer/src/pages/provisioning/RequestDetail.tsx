import { useState } from 'react';
import type { ResponseOf } from '../../../../preload/contract';
import type { ProvisionRequest } from '../../../../preload/contract/provisioning';
import { useMutation, useQuery } from '../../api/hooks';
import { ErrorNote } from '../../components';
import { formatTime } from '../../format';
import { secretsOf } from './secrets';

type Bundle = ResponseOf<'provisioning.exportBundle'>;

function download(name: string, text: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

/** The selected request: live timeline, retry / disable / delete, provision-bundle export. */
export function RequestDetail(props: { request: ProvisionRequest; onChanged(): void }) {
  const { request } = props;
  const detail = useQuery('provisioning.get', { id: request.id }, { refetchOn: ['provisioning.changed'] });
  const action = useMutation();
  const [bundle, setBundle] = useState<Bundle>();
  const [confirmDelete, setConfirmDelete] = useState(false);

  const run = async (promise: Promise<unknown>) => {
    if ((await promise) !== undefined) props.onChanged();
  };
  const exportBundle = async () => {
    const result = await action.run('provisioning.exportBundle', {
      id: request.id,
      ...secretsOf(request.id),
    });
    if (result) setBundle(result);
  };

  return (
    <section className="panel" data-testid="provisioning-detail">
      <h2>
        <span className="mono">{request.clientId}</span> → {request.targetAccountName}
      </h2>
      <p>
        Status{' '}
        <span className="pv-status" data-status={request.status} data-testid="provisioning-detail-status">
          {request.status}
        </span>
        {request.enabled ? '' : ' (disabled)'} · retries {request.retries}/{request.retryMaxAttempts}
        {request.secureUrl ? '' : ' · plain mqtt URL'}
      </p>
      {request.attachments.length > 0 ? (
        <ul>
          {request.attachments.map((a) => (
            <li key={a.id}>
              {a.kind}: <span className="mono">{a.name}</span> ({a.size} B, SHA-256{' '}
              <span className="mono">{a.sha256.slice(0, 16)}…</span>)
            </li>
          ))}
        </ul>
      ) : null}
      <div className="pv-actions">
        <button
          type="button"
          disabled={action.busy || request.status === 'COMPLETED'}
          onClick={() => void run(action.run('provisioning.retry', { id: request.id }))}
        >
          Retry
        </button>
        <button
          type="button"
          disabled={action.busy}
          onClick={() =>
            void run(action.run('provisioning.setEnabled', { id: request.id, enabled: !request.enabled }))
          }
        >
          {request.enabled ? 'Disable' : 'Enable'}
        </button>
        <button
          type="button"
          disabled={action.busy}
          onClick={() => void exportBundle()}
          data-testid="provisioning-export"
        >
          Export bundle
        </button>
        {confirmDelete ? (
          <>
            <button
              type="button"
              className="tn-danger"
              onClick={() => void run(action.run('provisioning.delete', { id: request.id }))}
            >
              Really delete
            </button>
            <button type="button" onClick={() => setConfirmDelete(false)}>
              Cancel
            </button>
          </>
        ) : (
          <button type="button" onClick={() => setConfirmDelete(true)}>
            Delete…
          </button>
        )}
      </div>
      <ErrorNote message={action.error ?? detail.error} />
      {bundle ? (
        <div data-testid="provisioning-bundle">
          <h3>Provision bundle</h3>
          <pre className="pv-snippet">{bundle.json}</pre>
          <div className="pv-actions">
            <button type="button" onClick={() => void navigator.clipboard?.writeText(bundle.json)}>
              Copy JSON
            </button>
            <button
              type="button"
              onClick={() => download(`${request.clientId}-bundle.json`, bundle.json, 'application/json')}
            >
              Download JSON
            </button>
          </div>
          <pre className="pv-snippet">{bundle.properties}</pre>
          <div className="pv-actions">
            <button type="button" onClick={() => void navigator.clipboard?.writeText(bundle.properties)}>
              Copy properties
            </button>
            <button
              type="button"
              onClick={() =>
                download(`${request.clientId}-bundle.properties`, bundle.properties, 'text/plain')
              }
            >
              Download properties
            </button>
          </div>
        </div>
      ) : null}
      <h3>Timeline</h3>
      <ol data-testid="provisioning-timeline">
        {(detail.data?.timeline ?? []).map((step, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: steps are append-only and have no id.
          <li key={i} data-status={step.status}>
            <span className="mono">{formatTime(step.at)}</span>{' '}
            <span className="pv-status" data-status={step.status}>
              {step.status}
            </span>{' '}
            {step.reason}
          </li>
        ))}
      </ol>
    </section>
  );
}
