import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { BrokerStatsDto } from '../../../../preload/contract/broker';
import { useApiEvent, useQuery } from '../../api/hooks';
import { ErrorNote } from '../../components';
import { formatBytes, formatDuration, formatRate } from '../../format';
import { ClientsPanel } from './ClientsPanel';
import { formatCount } from './format';
import { HandshakeFailuresPanel } from './HandshakeFailuresPanel';
import { ListenersPanel } from './ListenersPanel';
import { RateChart } from './RateChart';
import { RetainedPanel } from './RetainedPanel';
import { SessionsPanel } from './SessionsPanel';
import './broker.css';

/** Five minutes of once-a-second samples. */
const HISTORY = 300;

interface History {
  times: number[];
  messagesIn: number[];
  messagesOut: number[];
  clients: number[];
  connects: number[];
}

const emptyHistory: History = { times: [], messagesIn: [], messagesOut: [], clients: [], connects: [] };

function push(h: History, s: BrokerStatsDto, at: number): History {
  const trim = <T,>(a: T[], v: T) =>
    a.length >= HISTORY ? [...a.slice(a.length - HISTORY + 1), v] : [...a, v];
  return {
    times: trim(h.times, at),
    messagesIn: trim(h.messagesIn, s.rates.messagesIn),
    messagesOut: trim(h.messagesOut, s.rates.messagesOut),
    clients: trim(h.clients, s.clientsConnected),
    connects: trim(h.connects, s.rates.connects),
  };
}

const tabs = [
  { id: 'clients', label: 'Connected clients' },
  { id: 'sessions', label: 'Sessions' },
  { id: 'retained', label: 'Retained' },
  { id: 'handshakes', label: 'TLS handshake failures' },
] as const;
type TabId = (typeof tabs)[number]['id'];

function tabFromHash(): TabId {
  const sub = location.hash.replace(/^#\/?/, '').split('/')[1];
  return tabs.some((t) => t.id === sub) ? (sub as TabId) : 'clients';
}

/** The embedded broker: listeners, live rates, connected clients, sessions, retained messages, TLS failures. */
export function BrokerPage() {
  const first = useQuery('broker.stats', {});
  const [stats, setStats] = useState<BrokerStatsDto>();
  const [history, setHistory] = useState<History>(emptyHistory);
  const [tab, setTab] = useState<TabId>(tabFromHash);
  const [failureCount, setFailureCount] = useState(0);
  const tabRefs = useRef<Record<string, HTMLButtonElement | null>>({});

  useEffect(() => {
    if (first.data) {
      setStats((s) => s ?? first.data);
      setHistory((h) => (h.times.length === 0 ? push(h, first.data!, Date.now()) : h));
    }
  }, [first.data]);
  useApiEvent('broker.stats', (s) => {
    setStats(s);
    setHistory((h) => push(h, s, Date.now()));
  });
  useEffect(() => {
    const onHash = () => setTab(tabFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const selectTab = (id: TabId, focus = false) => {
    setTab(id);
    replaceTabInAddress(id);
    if (focus) tabRefs.current[id]?.focus();
  };
  const onTabKey = (e: React.KeyboardEvent) => {
    const i = tabs.findIndex((t) => t.id === tab);
    const next =
      e.key === 'ArrowRight'
        ? (i + 1) % tabs.length
        : e.key === 'ArrowLeft'
          ? (i - 1 + tabs.length) % tabs.length
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? tabs.length - 1
              : -1;
    if (next < 0) return;
    e.preventDefault();
    selectTab(tabs[next]!.id, true);
  };

  const messageSeries = useMemo(
    () => [
      { label: 'in', color: '--accent', values: history.messagesIn },
      { label: 'out', color: '--ok', values: history.messagesOut },
    ],
    [history],
  );
  const connectionSeries = useMemo(
    () => [
      { label: 'connected', color: '--accent', values: history.clients },
      { label: 'connects/s', color: '--warn', values: history.connects },
    ],
    [history],
  );
  const onCount = useCallback((n: number) => setFailureCount(n), []);
  // The panels fetch their own data: keep them out of the once-a-second re-render of the stats.
  const listeners = useMemo(() => <ListenersPanel />, []);
  const clients = useMemo(() => <ClientsPanel />, []);
  const sessions = useMemo(() => <SessionsPanel />, []);
  const retained = useMemo(() => <RetainedPanel />, []);
  const failures = useMemo(() => <HandshakeFailuresPanel onCount={onCount} />, [onCount]);
  const s = stats;

  return (
    <div className="page brk-page" data-testid="broker-page">
      <h1>Broker</h1>
      <ErrorNote message={first.error} />
      <section className="brk-summary" aria-label="Broker totals">
        <Stat label="Clients" value={s ? formatCount(s.clientsConnected) : '…'} testId="stat-clients" />
        <Stat
          label="Messages in"
          value={s ? formatRate(s.rates.messagesIn) : '…'}
          sub={s ? `${formatCount(s.messagesIn)} total` : ''}
          testId="stat-rate-in"
        />
        <Stat
          label="Messages out"
          value={s ? formatRate(s.rates.messagesOut) : '…'}
          sub={s ? `${formatCount(s.messagesOut)} total` : ''}
          testId="stat-rate-out"
        />
        <Stat
          label="Traffic"
          value={s ? `${formatBytes(s.rates.bytesIn + s.rates.bytesOut)}/s` : '…'}
          sub={s ? `${formatBytes(s.bytesIn + s.bytesOut)} in + out` : ''}
        />
        <Stat
          label="Sessions"
          value={s ? formatCount(s.sessions) : '…'}
          sub={s ? `${formatCount(s.subscriptions)} subscriptions` : ''}
        />
        <Stat label="Retained" value={s ? formatCount(s.retained) : '…'} />
        <Stat
          label="Dropped"
          value={s ? formatCount(s.messagesDropped) : '…'}
          sub={s ? `${formatCount(s.connectsRefused)} connects refused` : ''}
          bad={!!s && s.messagesDropped > 0}
        />
        <Stat
          label="Uptime"
          value={s ? formatDuration(s.uptimeSeconds) : '…'}
          sub={s ? `${formatCount(s.connectionsTotal)} connections` : ''}
        />
      </section>
      <section className="panel brk-charts" aria-label="Live rates, last five minutes">
        <RateChart
          title="Messages per second"
          times={history.times}
          series={messageSeries}
          testId="chart-messages"
          format={(v) => formatRate(v).replace('/s', '')}
        />
        <RateChart
          title="Connections"
          times={history.times}
          series={connectionSeries}
          testId="chart-connections"
        />
      </section>
      {listeners}
      <section className="panel brk-tabs-panel">
        <div role="tablist" aria-label="Broker state" className="brk-tabs" onKeyDown={onTabKey}>
          {tabs.map((t) => (
            <button
              key={t.id}
              ref={(el) => {
                tabRefs.current[t.id] = el;
              }}
              type="button"
              role="tab"
              id={`brk-tab-${t.id}`}
              aria-selected={tab === t.id}
              aria-controls={`brk-tabpanel-${t.id}`}
              tabIndex={tab === t.id ? 0 : -1}
              onClick={() => selectTab(t.id)}
            >
              {t.label}
              {t.id === 'clients' && s ? (
                <span className="brk-count">{formatCount(s.clientsConnected)}</span>
              ) : null}
              {t.id === 'sessions' && s ? <span className="brk-count">{formatCount(s.sessions)}</span> : null}
              {t.id === 'retained' && s ? <span className="brk-count">{formatCount(s.retained)}</span> : null}
              {t.id === 'handshakes' && failureCount > 0 ? (
                <span className="brk-count brk-count-bad">{failureCount}</span>
              ) : null}
            </button>
          ))}
        </div>
        <div
          role="tabpanel"
          id={`brk-tabpanel-${tab}`}
          aria-labelledby={`brk-tab-${tab}`}
          className="brk-tabpanel"
        >
          {tab === 'clients' ? clients : null}
          {tab === 'sessions' ? sessions : null}
          {tab === 'retained' ? retained : null}
          {/* Always mounted so the tab's badge counts failures that arrive while another tab is open. */}
          <div hidden={tab !== 'handshakes'}>{failures}</div>
        </div>
      </section>
    </div>
  );
}

/** Keeps the selected tab in the address (#/broker/<tab>) without adding history entries. */
function replaceTabInAddress(id: TabId) {
  const url = `#/broker${id === 'clients' ? '' : `/${id}`}`;
  if (location.hash !== url) window.history.replaceState(null, '', url);
}

function Stat({
  label,
  value,
  sub,
  testId,
  bad,
}: {
  label: string;
  value: string;
  sub?: string;
  testId?: string;
  bad?: boolean;
}) {
  return (
    <div className={`brk-stat${bad ? ' brk-stat-bad' : ''}`}>
      <div className="brk-stat-label">{label}</div>
      <div className="brk-stat-value" data-testid={testId}>
        {value}
      </div>
      {sub ? <div className="brk-stat-sub muted">{sub}</div> : null}
    </div>
  );
}
