import { useState } from 'react';
import type { AgentDto } from '../../../../preload/contract/onboarding';
import { useMutation, useQuery } from '../../api/hooks';
import { ErrorNote } from '../../components';
import { formatShort } from '../tenancy/shared/dates';

/** The account's agents with their onboarding state, and one agent's live timeline. */
export function AgentsPanel({ accountId }: { accountId: string }) {
  const query = useQuery('onboarding.agents.list', { accountId }, { refetchOn: ['onboarding.changed'] });
  const [selected, setSelected] = useState<string>();
  const { reload } = query;
  const m = useMutation();
  const agents = query.data?.agents ?? [];
  const remove = async (agent: AgentDto) => {
    const r = await m.run('onboarding.agents.remove', { accountId, clientId: agent.clientId });
    if (r) reload();
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
      {selected ? <AgentDetail key={selected} accountId={accountId} clientId={selected} /> : null}
    </section>
  );
}

function AgentDetail({ accountId, clientId }: { accountId: string; clientId: string }) {
  const timeline = useQuery(
    'onboarding.agents.timeline',
    { accountId, clientId },
    { refetchOn: ['onboarding.changed'] },
  );
  const m = useMutation();
  const [subtopic, setSubtopic] = useState('');
  const [payload, setPayload] = useState('');
  const [sentTo, setSentTo] = useState<string>();
  const send = async () => {
    const r = await m.run('onboarding.agents.send', { accountId, clientId, subtopic, payload });
    if (r) setSentTo(r.topic);
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
