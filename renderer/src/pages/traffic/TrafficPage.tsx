import { useEffect, useMemo, useRef, useState } from 'react';
import type { ResponseOf } from '../../../../preload/contract';
import { packetTypes } from '../../../../preload/contract/explorer';
import { useQuery } from '../../api/hooks';
import { ErrorNote, VirtualList } from '../../components';
import { Sparkline } from '../../components/Sparkline';
import { formatTime } from '../../format';
import { useConnection } from '../../state/connection';
import { ConnectionsBar } from '../explorer/ConnectionsBar';
import { useConnections } from '../explorer/connections-store';
import { topicFilterProblem } from '../explorer/util';
import { CapturePanel } from './CapturePanel';
import { type PacketFilter, packetModel, usePackets } from './packet-store';
import '../explorer/explorer.css';
import '../explorer/message-panel.css';
import './traffic.css';

const ROW = 22;
type TimelineEntry = ResponseOf<'explorer.packets.timeline'>['entries'][number];

function PacketLog({ onClient }: { onClient(id: string): void }) {
  const version = usePackets((s) => s.version);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the change signal for the mutable model.
  const packets = useMemo(() => packetModel.packets, [version]);
  return (
    <section className="packet-table" aria-label="Packets">
      <div className="packet-row packet-head">
        <span>Time</span>
        <span>Dir</span>
        <span>Client</span>
        <span>Account</span>
        <span>Listener</span>
        <span>Type</span>
        <span>Topic</span>
        <span>QoS</span>
        <span>Size</span>
        <span>Reason</span>
      </div>
      <VirtualList
        className="packet-list"
        testId="packet-log"
        count={packets.length}
        rowHeight={ROW}
        stickToBottom
        renderRow={(i, style) => {
          const p = packets[i]!;
          const failed = p.reason !== undefined || (p.reasonCode !== undefined && p.reasonCode >= 0x80);
          return (
            <div key={p.seq} style={style} className={`packet-row type-${p.type} ${failed ? 'failed' : ''}`}>
              <span className="mono">{formatTime(p.time)}</span>
              <span className={`dir dir-${p.direction}`} title={p.direction === 'in' ? 'received' : 'sent'}>
                {p.direction === 'in' ? '→' : '←'}
              </span>
              <button
                type="button"
                className="link mono"
                onClick={() => onClient(p.clientId)}
                title="Show this client's timeline"
              >
                {p.clientId}
              </button>
              <span>{p.account ?? ''}</span>
              <span className="muted">{p.listenerId ?? ''}</span>
              <span className="ptype">{p.type}</span>
              <span className="mono ellipsis" title={p.topic ?? p.filters?.join(', ')}>
                {p.topic ?? p.filters?.join(', ') ?? ''}
              </span>
              <span>{p.qos ?? ''}</span>
              <span>{p.size}</span>
              <span className={failed ? 'bad' : 'muted'} title={p.reason}>
                {p.reasonCode !== undefined ? `${p.reasonCode}${p.reason ? ` ${p.reason}` : ''}` : ''}
              </span>
            </div>
          );
        }}
      />
    </section>
  );
}

const KIND_COLORS: Record<string, string> = {
  connect: 'var(--ok)',
  connack: 'var(--ok)',
  subscribe: 'var(--accent)',
  suback: 'var(--accent)',
  unsubscribe: 'var(--warn)',
  publish: 'var(--text)',
  disconnect: 'var(--bad)',
  other: 'var(--muted)',
};

function Timeline({ clientId, onClose }: { clientId: string; onClose(): void }) {
  const connectionId = useConnections((s) => s.selectedId);
  const timeline = useQuery('explorer.packets.timeline', { connectionId, clientId, limit: 1000 });
  const entries: TimelineEntry[] = timeline.data?.entries ?? [];
  const truncated = timeline.data?.truncated ?? false;
  const t0 = entries[0]?.time ?? 0;
  const t1 = entries.at(-1)?.time ?? t0 + 1;
  const span = Math.max(1, t1 - t0);
  return (
    <section
      className="panel timeline-panel"
      aria-label={`Timeline of ${clientId}`}
      data-testid="client-timeline"
    >
      <div className="panel-header">
        <h2>
          Timeline of <span className="mono">{clientId}</span>
        </h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <ErrorNote message={timeline.error} />
      <svg
        className="timeline-strip"
        viewBox="0 0 1000 30"
        preserveAspectRatio="none"
        role="img"
        aria-label="Packets over time"
      >
        <line x1="0" y1="15" x2="1000" y2="15" stroke="var(--border)" />
        {entries.map((e, i) => (
          <circle
            // biome-ignore lint/suspicious/noArrayIndexKey: static drawing.
            key={i}
            cx={((e.time - t0) / span) * 990 + 5}
            cy={e.direction === 'in' ? 10 : 20}
            r="3"
            fill={KIND_COLORS[e.kind] ?? 'var(--muted)'}
          />
        ))}
      </svg>
      {truncated ? <div className="muted small">Older entries are no longer kept.</div> : null}
      <ol className="timeline-list">
        {entries.map((e, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: static list.
          <li key={i} className={`kind-${e.kind}`}>
            <span className="mono small">{formatTime(e.time)}</span>{' '}
            <span className={`dir dir-${e.direction}`}>{e.direction === 'in' ? '→' : '←'}</span>{' '}
            <strong>{e.kind}</strong> {e.summary}
          </li>
        ))}
      </ol>
      {entries.length === 0 && !timeline.loading ? (
        <p className="muted">No packets of this client are kept.</p>
      ) : null}
    </section>
  );
}

/** Live packets of a connection with server-side filters, per-client timelines, capture and replay. */
export function TrafficPage() {
  const connectionId = useConnections((s) => s.selectedId);
  const { count, paused, pending, dropped, error, rateHistory } = usePackets();
  const [draft, setDraft] = useState<PacketFilter>({});
  const [client, setClient] = useState<string>();
  const topicProblem = draft.topic ? topicFilterProblem(draft.topic) : undefined;

  // The filter in force (applied), sent again when the subscription is re-made.
  const applied = useRef<PacketFilter>({});
  const linkUp = useConnection((s) => s.status === 'open');
  useEffect(() => {
    if (!linkUp) return;
    void packetModel.start(connectionId, applied.current);
    return () => {
      void packetModel.stop();
    };
  }, [connectionId, linkUp]);

  const toggleType = (t: string) =>
    setDraft((d) => {
      const types = new Set(d.types ?? []);
      if (types.has(t)) types.delete(t);
      else types.add(t);
      return { ...d, types: [...types] };
    });

  return (
    <div className="page traffic-page" data-testid="traffic-page">
      <ConnectionsBar showEditor={false} />
      <form
        className="packet-filters"
        onSubmit={(e) => {
          e.preventDefault();
          if (topicProblem) return;
          applied.current = draft;
          void packetModel.setFilter(draft);
        }}
      >
        <label className="field">
          <span>Client id</span>
          <input
            value={draft.clientId ?? ''}
            onChange={(e) => setDraft((d) => ({ ...d, clientId: e.target.value }))}
            data-testid="filter-client"
          />
        </label>
        <label className="field">
          <span>Topic filter</span>
          <input
            value={draft.topic ?? ''}
            onChange={(e) => setDraft((d) => ({ ...d, topic: e.target.value }))}
            aria-invalid={topicProblem ? true : undefined}
            placeholder="plant/#"
            data-testid="filter-topic"
          />
          {topicProblem ? <span className="field-problem">{topicProblem}</span> : null}
        </label>
        <label className="field">
          <span>Direction</span>
          <select
            value={draft.direction ?? ''}
            onChange={(e) =>
              setDraft((d) => ({
                ...d,
                direction: (e.target.value || undefined) as PacketFilter['direction'],
              }))
            }
          >
            <option value="">both</option>
            <option value="in">in (received)</option>
            <option value="out">out (sent)</option>
          </select>
        </label>
        <details className="type-picker">
          <summary>Packet types{draft.types?.length ? ` (${draft.types.length})` : ': all'}</summary>
          <div className="type-grid">
            {packetTypes.map((t) => (
              <label key={t} className="check small">
                <input
                  type="checkbox"
                  checked={draft.types?.includes(t) ?? false}
                  onChange={() => toggleType(t)}
                />
                {t}
              </label>
            ))}
          </div>
        </details>
        <button type="submit" disabled={!!topicProblem} data-testid="filter-apply">
          Apply filters
        </button>
        <button
          type="button"
          onClick={() => packetModel.setPaused(!paused)}
          aria-pressed={paused}
          data-testid="traffic-pause"
        >
          {paused ? 'Resume' : 'Pause'}
        </button>
        <button type="button" onClick={() => packetModel.clear()}>
          Clear
        </button>
      </form>
      <div className="tree-status">
        <span data-testid="packet-count">
          {count.toLocaleString()} {count === 1 ? 'packet' : 'packets'}
        </span>
        <Sparkline values={rateHistory} width={120} height={20} label="Packets per second" />
        <span className="muted">{rateHistory.at(-1) ?? 0}/s</span>
        {paused ? (
          <span className="paused-note">paused — {pending.toLocaleString()} packets pending</span>
        ) : null}
        {dropped > 0 ? (
          <span className="warn">
            {dropped.toLocaleString()} packets skipped by the server (too many per batch)
          </span>
        ) : null}
      </div>
      <ErrorNote message={error} />
      <div className="traffic-layout">
        <PacketLog onClient={setClient} />
        <div className="traffic-side">
          {client ? <Timeline clientId={client} onClose={() => setClient(undefined)} /> : null}
          <CapturePanel />
        </div>
      </div>
    </div>
  );
}
