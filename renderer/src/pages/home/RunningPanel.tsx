import { useState } from 'react';
import type { BrokerStatsDto } from '../../../../preload/contract/broker';
import type { ListenerStatusDto } from '../../../../preload/contract/listeners';
import { useApiEvent, useQuery } from '../../api/hooks';
import { EmptyState, ErrorNote, StatusBadge } from '../../components';
import { formatDuration } from '../../format';
import { KIND_LABELS, listenerUrl, reachableFromNetwork } from './listener-url';

function ListenerRow({ listener }: { listener: ListenerStatusDto }) {
  const url = listenerUrl(listener);
  return (
    <li className="home-listener" data-testid="home-listener" data-kind={listener.kind}>
      <StatusBadge status={listener.state} />
      <div className="home-listener-main">
        <code className="home-url" data-testid="listener-url">
          {url}
        </code>
        <span className="muted">
          {KIND_LABELS[listener.kind]}
          {reachableFromNetwork(listener) ? ' · also reachable from the network' : ' · this machine only'}
          {listener.state === 'error' && listener.error ? ` · ${listener.error}` : ''}
        </span>
      </div>
      <span className="home-listener-clients muted" title="Connected clients">
        {listener.connectedClients} connected
      </span>
    </li>
  );
}

function Tile({ label, value, testId }: { label: string; value: string | number; testId?: string }) {
  return (
    <div className="home-tile">
      <div className="home-tile-value" data-testid={testId}>
        {value}
      </div>
      <div className="home-tile-label muted">{label}</div>
    </div>
  );
}

/** What is running now: the broker's listeners with the URLs devices use, and live counters. */
export function RunningPanel() {
  const listeners = useQuery('listeners.list', {}, { refetchOn: ['listeners.changed'] });
  const initialStats = useQuery('broker.stats', {});
  const [liveStats, setLiveStats] = useState<BrokerStatsDto>();
  useApiEvent('broker.stats', setLiveStats);
  const stats = liveStats ?? initialStats.data;
  const list = listeners.data?.listeners ?? [];
  const running = list.filter((l) => l.state === 'running').length;
  return (
    <section className="panel home-running" aria-labelledby="home-running-title">
      <header className="panel-header">
        <h2 id="home-running-title">What is running</h2>
        <a href="#/broker">Manage listeners</a>
      </header>
      <div className="home-tiles">
        <Tile
          label="listeners running"
          value={`${running} of ${list.length}`}
          testId="home-listeners-running"
        />
        <Tile label="clients connected" value={stats?.clientsConnected ?? '–'} testId="home-clients" />
        <Tile label="messages in" value={stats?.messagesIn ?? '–'} />
        <Tile label="broker uptime" value={stats ? formatDuration(stats.uptimeSeconds) : '–'} />
      </div>
      <ErrorNote message={listeners.error} />
      {list.length === 0 && !listeners.loading ? (
        <EmptyState title="No listeners">
          Devices cannot connect until a listener runs. <a href="#/broker">Add one on the Broker page.</a>
        </EmptyState>
      ) : (
        <ul className="home-listeners" aria-label="Listeners" data-testid="home-listeners">
          {list.map((l) => (
            <ListenerRow key={l.id} listener={l} />
          ))}
        </ul>
      )}
    </section>
  );
}
