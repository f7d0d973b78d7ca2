import { useState } from 'react';
import type { AgentDto } from '../../../../preload/contract/onboarding';
import { useApiEvent, useApiQuery } from '../../api/hooks';
import { ErrorNote } from '../../components/ErrorNote';
import { formatShort, useMutation } from '../tenancy/shared/ui';

/** The account's agents with their onboarding state, and one agent's live timeline. */
export function AgentsPanel({ accountId }: { accountId: string }) {
  const query = useApiQuery('onboarding.agents.list', { accountId }, accountId);
  const [selected, setSelected] = useState<string>();
  const [revision, setRevision] = useState(0);
  const { reload } = query;
  useApiEvent('onboarding.changed', (e) => {
    if (e.accountId !== accountId) return;
    reload();
    setRevision((r) => r + 1);
  });
  const m = useMutation();
  const agents = query.data?.agents ?? [];
  const remove = async (agent: AgentDto) => {
    const r = await m.run('onboarding.agents.remove', { accountId, clientId: agent.clientId });
    if (r.ok) reload();
  };
  return (
    <section className="panel" aria-labelledby="onb-agents-title">
      <h2 id="onb-agents-title">Agents</h2>
      <ErrorNote message={query.error ?? m.error} />
      {agents.length === 0 ? (
        <p className="muted">No agent has onboarded yet.</p>
      ) : (
        <table className="tn-table" data-testid="onboarding-agents">
          <thead>
            <tr>
              <th>Client id</th>
              <th>State</th>
              <th>First seen</th>
              <th>Last seen</th>
              <th>CA</th>
              <th>Fingerprint</th>
              <th>Last properties</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {agents.map((a) => (
              <tr key={a.clientId} data-testid={`agent-${a.clientId}`}>
                <td>
                  <button type="button" className="link" onClick={() => setSelected(a.clientId)}>
                    {a.clientId}
                  </button>
                </td>
                <td data-testid="agent-state">
                  {a.state}
                  {a.connected ? ' · connected' : ''}
                  {a.acceptAfter ? ` · back after ${formatShort(a.acceptAfter)}` : ''}
                </td>
                <td>{formatShort(a.firstSeen)}</td>
                <td>{formatShort(a.lastSeen)}</td>
                <td>{a.issuer}</td>
                <td title={a.fingerprintSha256}>
                  <code>{a.fingerprintSha256.slice(0, 16)}…</code>
                </td>
                <td>
                  {a.lastProperties
                    ? Object.entries(a.lastProperties)
                        .map(([k, v]) => `${k}=${v}`)
                        .join(', ')
                    : ''}
                </td>
                <td>
                  <button type="button" onClick={() => void remove(a)} disabled={m.busy}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {selected ? (
        <AgentDetail key={selected} accountId={accountId} clientId={selected} revision={revision} />
      ) : null}
    </section>
  );
}

function AgentDetail({
  accountId,
  clientId,
  revision,
}: {
  accountId: string;
  clientId: string;
  revision: number;
}) {
  const timeline = useApiQuery(
    'onboarding.agents.timeline',
    { accountId, clientId },
    `${clientId}-${revision}`,
  );
  const m = useMutation();
  const [subtopic, setSubtopic] = useState('');
  const [payload, setPayload] = useState('');
  const [sentTo, setSentTo] = useState<string>();
  const send = async () => {
    const r = await m.run('onboarding.agents.send', { accountId, clientId, subtopic, payload });
    if (r.ok) setSentTo(r.data.topic);
  };
  return (
    <div data-testid="agent-detail">
      <h3>{clientId}: timeline</h3>
      <ErrorNote message={timeline.error} />
      <ol data-testid="agent-timeline">
        {(timeline.data?.events ?? []).map((e, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: events have no id and never reorder
          <li key={i}>
            {formatShort(e.at)} <strong>{e.kind}</strong> {e.detail}
          </li>
        ))}
      </ol>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <label>
          Subtopic{' '}
          <input value={subtopic} onChange={(e) => setSubtopic(e.target.value)} data-testid="send-subtopic" />
        </label>{' '}
        <label>
          Payload{' '}
          <input value={payload} onChange={(e) => setPayload(e.target.value)} data-testid="send-payload" />
        </label>{' '}
        <button type="submit" disabled={m.busy} data-testid="send-button">
          Send to agent
        </button>
        {sentTo ? <span className="muted"> sent to {sentTo}</span> : null}
        <ErrorNote message={m.error} />
      </form>
    </div>
  );
}
