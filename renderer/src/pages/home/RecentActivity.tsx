import { useQuery } from '../../api/hooks';
import { EmptyState, ErrorNote } from '../../components';
import { formatShort } from '../tenancy/shared/dates';

const SHOWN = 6;

/** The latest operator changes (audit log) and the clients that connected most recently. */
export function RecentActivity() {
  const audit = useQuery('audit.query', { limit: SHOWN });
  const clients = useQuery('broker.listClients', { limit: 1000 }, { refetchOn: ['broker.clients'] });
  const recentClients = [...(clients.data?.clients ?? [])]
    .sort((a, b) => b.connectedAt - a.connectedAt)
    .slice(0, SHOWN);
  return (
    <section className="panel home-activity" aria-labelledby="home-activity-title">
      <header className="panel-header">
        <h2 id="home-activity-title">Recent activity</h2>
      </header>
      <div className="home-activity-columns">
        <div>
          <h3>
            Changes <a href="#/audit">Audit log</a>
          </h3>
          <ErrorNote message={audit.error} />
          {audit.data && audit.data.entries.length === 0 ? (
            <EmptyState>No changes yet: creating an account is the first.</EmptyState>
          ) : (
            <ul className="home-feed" data-testid="recent-changes">
              {(audit.data?.entries ?? []).map((e) => (
                <li key={e.id}>
                  <span className="muted home-feed-time">{formatShort(e.at)}</span>
                  <code>{e.action}</code>
                  <span className="home-feed-target">{e.target ?? ''}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div>
          <h3>
            Connected clients <a href="#/broker">Broker</a>
          </h3>
          <ErrorNote message={clients.error} />
          {clients.data && recentClients.length === 0 ? (
            <EmptyState>No client is connected.</EmptyState>
          ) : (
            <ul className="home-feed" data-testid="recent-clients">
              {recentClients.map((c) => (
                <li key={`${c.listenerId}/${c.clientId}`}>
                  <span className="muted home-feed-time">{formatShort(c.connectedAt)}</span>
                  <code>{c.clientId}</code>
                  <span className="home-feed-target muted">
                    {c.listenerKind} from {c.remoteAddress}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}
