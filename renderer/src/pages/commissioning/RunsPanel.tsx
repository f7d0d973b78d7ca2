import { useQuery } from '../../api/hooks';
import { DataTable, ErrorNote, StatusBadge } from '../../components';
import { formatTime } from '../../format';

/** One progress row per port, with the step it is on. */
export function RunsPanel() {
  const runs = useQuery('commissioning.runs', {}, { refetchOn: ['commissioning.progress'] });
  return (
    <section className="panel" data-testid="commissioning-runs">
      <h2>Runs</h2>
      <ErrorNote message={runs.error} />
      <DataTable
        label="Commissioning runs"
        rows={runs.data?.runs ?? []}
        rowKey={(r) => r.id}
        empty="No runs in this session."
        columns={[
          {
            key: 'port',
            header: 'Port',
            render: (r) => <span className="mono">{r.port}</span>,
            sortValue: (r) => r.port,
          },
          {
            key: 'device',
            header: 'Device',
            render: (r) => [r.deviceModel, r.deviceSerial].filter(Boolean).join(' ') || '—',
          },
          {
            key: 'state',
            header: 'State',
            render: (r) => (
              <StatusBadge status={r.state === 'succeeded' ? 'connected' : r.state}>{r.state}</StatusBadge>
            ),
          },
          {
            key: 'step',
            header: 'Step',
            render: (r) => <span data-testid={`run-step-${r.port}`}>{r.step}</span>,
          },
          { key: 'detail', header: 'Detail', render: (r) => r.detail },
          {
            key: 'started',
            header: 'Started',
            render: (r) => formatTime(r.startedAt),
            sortValue: (r) => r.startedAt,
          },
        ]}
      />
    </section>
  );
}
