import { useState } from 'react';
import { useMutation, useQuery } from '../../api/hooks';
import { DataTable, ErrorNote, StatusBadge, TextField } from '../../components';
import { formatTime } from '../../format';
import { downloadFile } from '../certificates/download';

/** Stored commissioning records: search, export as JSON or HTML, verify the signature. */
export function RecordsPanel() {
  const [search, setSearch] = useState('');
  const records = useQuery('commissioning.records', { search }, { refetchOn: ['commissioning.progress'] });
  const m = useMutation();
  const [verdicts, setVerdicts] = useState<Record<string, string>>({});

  const exportRecord = async (id: string, format: 'json' | 'html') => {
    const file = await m.run('commissioning.exportRecord', { id, format });
    if (file)
      downloadFile(
        file.filename,
        { text: file.content },
        format === 'json' ? 'application/json' : 'text/html',
      );
  };
  const verify = async (id: string) => {
    const v = await m.run('commissioning.verifyRecord', { id });
    if (v) setVerdicts((now) => ({ ...now, [id]: `${v.valid ? 'valid' : 'INVALID'}: ${v.reason}` }));
  };

  return (
    <section className="panel" data-testid="commissioning-records">
      <h2>Records</h2>
      <ErrorNote message={records.error ?? m.error} />
      <TextField
        label="Search"
        type="search"
        value={search}
        onChange={setSearch}
        placeholder="serial, MAC, client id, account…"
      />
      <DataTable
        label="Commissioning records"
        rows={records.data?.records ?? []}
        rowKey={(r) => r.id}
        empty="No commissioning records yet."
        columns={[
          {
            key: 'serial',
            header: 'Serial',
            render: (r) => r.deviceSerial ?? '—',
            sortValue: (r) => r.deviceSerial,
          },
          { key: 'mac', header: 'MAC', render: (r) => <span className="mono">{r.deviceMac ?? '—'}</span> },
          { key: 'account', header: 'Account', render: (r) => r.accountName },
          {
            key: 'result',
            header: 'Result',
            render: (r) => (
              <StatusBadge status={r.result === 'succeeded' ? 'connected' : 'failed'}>{r.result}</StatusBadge>
            ),
          },
          { key: 'operator', header: 'Operator', render: (r) => r.operator },
          { key: 'when', header: 'Ended', render: (r) => formatTime(r.endedAt), sortValue: (r) => r.endedAt },
          {
            key: 'actions',
            header: '',
            render: (r) => (
              <span className="cm-actions">
                <button type="button" onClick={() => exportRecord(r.id, 'json')}>
                  JSON
                </button>
                <button type="button" onClick={() => exportRecord(r.id, 'html')}>
                  HTML
                </button>
                <button type="button" onClick={() => verify(r.id)} data-testid={`verify-${r.deviceSerial}`}>
                  Verify
                </button>
                {verdicts[r.id] ? (
                  <span data-testid={`verdict-${r.deviceSerial}`}>{verdicts[r.id]}</span>
                ) : null}
              </span>
            ),
          },
        ]}
      />
    </section>
  );
}
