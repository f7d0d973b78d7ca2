import { useState } from 'react';
import type { SystemStats } from '../../../../preload/contract/system';
import { useApiEvent, useQuery } from '../../api/hooks';
import { ErrorNote } from '../../components';
import { Sparkline } from '../../components/Sparkline';
import { formatBytes, formatDuration } from '../../format';
import { LogTail } from './LogTail';
import { TokenPanel } from './TokenPanel';
import { SecretsPanel } from './SecretsPanel';

const HISTORY = 120;

/** Facts about this Fieldbench: where its data lives, how big it is, and how the process is doing. */
export function SystemPage() {
  const info = useQuery('system.info', {});
  const firstStats = useQuery('system.stats', {});
  const [stats, setStats] = useState<SystemStats>();
  const [rssHistory, setRssHistory] = useState<number[]>([]);
  useApiEvent('system.stats', (next) => {
    setStats(next);
    setRssHistory((h) => [...h.slice(-(HISTORY - 1)), next.memory.rss]);
  });
  const current = stats ?? firstStats.data;
  const i = info.data;

  return (
    <div className="page system-page" data-testid="system-page">
      <h1>System</h1>
      <ErrorNote message={info.error} />
      <div className="cards">
        <section className="panel">
          <h2>Installation</h2>
          <dl className="facts">
            <dt>Version</dt>
            <dd data-testid="version">{i ? `${i.name} ${i.version}` : '…'}</dd>
            <dt>Mode</dt>
            <dd>{i?.mode ?? '…'}</dd>
            <dt>Data directory</dt>
            <dd data-testid="data-dir" className="mono">
              {i?.dataDir ?? '…'}
            </dd>
            <dt>Database</dt>
            <dd className="mono">{i?.databasePath ?? '…'}</dd>
            <dt>Schema version</dt>
            <dd data-testid="schema-version">
              {i
                ? `${i.schemaVersion}${i.schemaVersion === i.latestSchemaVersion ? ' (current)' : ` of ${i.latestSchemaVersion}`}`
                : '…'}
            </dd>
            <dt>Runtime</dt>
            <dd>{i ? `Node ${i.node}, ${i.platform}, pid ${i.pid}` : '…'}</dd>
            <dt>Runtime flags</dt>
            <dd className="mono" data-testid="runtime-flags">
              {i ? i.runtimeFlags.join(' ') || 'none' : '…'}
            </dd>
          </dl>
        </section>
        <section className="panel">
          <h2>Process</h2>
          <dl className="facts">
            <dt>Uptime</dt>
            <dd data-testid="uptime">{current ? formatDuration(current.uptimeSeconds) : '…'}</dd>
            <dt>Database size</dt>
            <dd data-testid="db-size">{current ? formatBytes(current.databaseSizeBytes) : '…'}</dd>
            <dt>Memory (RSS)</dt>
            <dd data-testid="rss">{current ? formatBytes(current.memory.rss) : '…'}</dd>
            <dt>Heap used</dt>
            <dd>
              {current
                ? `${formatBytes(current.memory.heapUsed)} of ${formatBytes(current.memory.heapTotal)}`
                : '…'}
            </dd>
            <dt>UI events dropped</dt>
            <dd>{current?.eventsDropped ?? '…'}</dd>
          </dl>
          <Sparkline values={rssHistory} label="Memory over the last two minutes" />
        </section>
        {i ? <TokenPanel headless={i.mode === 'headless'} /> : null}
        <SecretsPanel />
      </div>
      <LogTail />
    </div>
  );
}
