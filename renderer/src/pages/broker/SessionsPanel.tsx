import { useEffect, useMemo, useState } from 'react';
import { useQuery } from '../../api/hooks';
import { ErrorNote, VirtualList } from '../../components';
import { formatDuration } from '../../format';
import { formatAgo } from './format';

/** Sessions, connected and offline persistent ones, with their subscriptions and queue depth. */
export function SessionsPanel() {
  const query = useQuery('broker.listSessions', { limit: 50_000 });
  const [filter, setFilter] = useState('');
  const { reload } = query;
  useEffect(() => {
    const timer = setInterval(() => document.visibilityState === 'visible' && reload(), 5000);
    return () => clearInterval(timer);
  }, [reload]);
  const sessions = query.data?.sessions ?? [];
  const visible = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    if (!needle) return sessions;
    return sessions.filter(
      (s) =>
        s.clientId.toLowerCase().includes(needle) ||
        s.topicPrefix.toLowerCase().includes(needle) ||
        s.subscriptions.some((sub) => sub.filter.toLowerCase().includes(needle)),
    );
  }, [sessions, filter]);
  const now = Date.now();
  return (
    <section aria-label="Sessions">
      <div className="brk-toolbar">
        <input
          type="search"
          className="brk-filter"
          placeholder="Filter: client id, namespace, subscription…"
          aria-label="Filter sessions"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <span className="muted" data-testid="session-count">
          {query.data ? `${visible.length} of ${query.data.total} sessions` : 'Loading…'}
        </span>
        <button type="button" onClick={query.reload} disabled={query.loading}>
          Refresh
        </button>
      </div>
      <ErrorNote message={query.error} />
      <div className="brk-table brk-sessions-table">
        <div className="brk-row brk-head">
          <span>Client id</span>
          <span>Namespace</span>
          <span>State</span>
          <span>Expiry</span>
          <span>Subscriptions</span>
          <span className="num">Queued</span>
          <span className="num">In flight</span>
          <span className="num">Dropped</span>
        </div>
        {visible.length === 0 ? (
          <p className="muted brk-empty">{query.loading && !query.data ? 'Loading…' : 'No sessions.'}</p>
        ) : (
          <VirtualList
            className="brk-vrows"
            count={visible.length}
            rowHeight={30}
            maxHeight={420}
            testId="session-rows"
            renderRow={(i, style) => {
              const s = visible[i]!;
              const subs = s.subscriptions.map((x) => `${x.filter} (QoS ${x.qos})`).join(', ');
              return (
                <div
                  key={`${s.topicPrefix}\u0000${s.clientId}`}
                  style={style}
                  className="brk-row"
                  data-testid="session-row"
                  data-client-id={s.clientId}
                >
                  <span className="mono ellipsis" title={s.clientId}>
                    {s.clientId}
                  </span>
                  <span className="mono ellipsis" title={s.topicPrefix}>
                    {s.topicPrefix || <span className="muted">root</span>}
                  </span>
                  <span>
                    {s.connected ? (
                      <span className="brk-state brk-state-running">
                        <span className="brk-dot" aria-hidden="true" />
                        connected
                      </span>
                    ) : (
                      <span
                        className="brk-state brk-state-stopped"
                        title={s.disconnectedAt ? new Date(s.disconnectedAt).toLocaleString() : ''}
                      >
                        <span className="brk-dot" aria-hidden="true" />
                        offline{s.disconnectedAt ? ` ${formatAgo(s.disconnectedAt, now)}` : ''}
                      </span>
                    )}
                  </span>
                  <span className="muted">
                    {!s.persistent
                      ? 'clean'
                      : s.expiryIntervalSeconds >= 0xffffffff
                        ? 'never'
                        : formatDuration(s.expiryIntervalSeconds)}
                  </span>
                  <span className="mono ellipsis" title={subs}>
                    {s.subscriptions.length === 0 ? <span className="muted">none</span> : subs}
                  </span>
                  <span className="num">{s.queued}</span>
                  <span className="num">{s.inflight}</span>
                  <span className={`num${s.droppedMessages ? ' brk-bad' : ''}`}>{s.droppedMessages}</span>
                </div>
              );
            }}
          />
        )}
      </div>
    </section>
  );
}
