import { type Column, DataTable } from '../../components';
import { formatBytes, formatTime } from '../../format';
import type { CaptureInfo } from './CapturePanel';

/** Captures of this session, newest first by default: running ones say so, finished ones can be opened. */
export function CaptureList({
  captures,
  onOpen,
}: {
  captures: readonly CaptureInfo[];
  onOpen(file: string): void;
}) {
  if (captures.length === 0) return null;
  const columns: Column<CaptureInfo>[] = [
    {
      key: 'started',
      header: 'Started',
      render: (c) => formatTime(c.startedAt),
      sortValue: (c) => c.startedAt,
    },
    { key: 'file', header: 'File', render: (c) => <span className="mono small">{c.file}</span> },
    {
      key: 'messages',
      header: 'Messages',
      render: (c) => c.messages.toLocaleString(),
      sortValue: (c) => c.messages,
      align: 'end',
    },
    {
      key: 'size',
      header: 'Size',
      render: (c) => formatBytes(c.bytes),
      sortValue: (c) => c.bytes,
      align: 'end',
    },
    {
      key: 'open',
      header: '',
      render: (c) =>
        c.active ? (
          'recording'
        ) : (
          <button type="button" onClick={() => onOpen(c.file)}>
            Open
          </button>
        ),
    },
  ];
  return (
    <DataTable
      label="Captures"
      rows={captures}
      columns={columns}
      rowKey={(c) => c.captureId}
      initialSort={{ key: 'started', direction: 'desc' }}
    />
  );
}
