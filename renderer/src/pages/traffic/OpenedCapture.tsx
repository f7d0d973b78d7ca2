import { type Column, DataTable } from '../../components';
import { formatTime } from '../../format';
import { base64ToText } from '../explorer/util';
import type { Opened } from './CapturePanel';

type Row = { index: number; message: Opened['messages'][number] };

const COLUMNS: Column<Row>[] = [
  { key: 'time', header: 'Time', render: (r) => formatTime(r.message.time) },
  { key: 'topic', header: 'Topic', render: (r) => <span className="mono">{r.message.topic}</span> },
  { key: 'qos', header: 'QoS', render: (r) => `${r.message.qos}${r.message.retain ? ' R' : ''}` },
  { key: 'size', header: 'Size', render: (r) => r.message.size, align: 'end' },
  {
    key: 'payload',
    header: 'Payload',
    render: ({ message: m }) =>
      m.payload === null ? (
        <span className="muted">(redacted)</span>
      ) : (
        <span className="mono capture-payload">
          {(base64ToText(m.payload) ?? `base64 ${m.payload.slice(0, 60)}`).slice(0, 200)}
        </span>
      ),
  },
];

/** One page of the messages in an opened capture file, with previous/next. */
export function OpenedCapture({
  file,
  offset,
  data,
  pageSize,
  onPage,
}: {
  file: string;
  offset: number;
  data: Opened;
  pageSize: number;
  onPage(offset: number): void;
}) {
  return (
    <div className="opened-capture" data-testid="opened-capture">
      <div className="muted small">
        {data.totalMessages.toLocaleString()} messages, {data.packets.toLocaleString()} packets in {file}
        {data.totalMessages > pageSize ? ` — showing ${offset + 1}–${offset + data.messages.length}` : ''}
      </div>
      <DataTable
        label="Captured messages"
        rows={data.messages.map((message, i) => ({ index: offset + i, message }))}
        rowKey={(r) => String(r.index)}
        columns={COLUMNS}
      />
      <div className="form-actions">
        <button type="button" disabled={offset === 0} onClick={() => onPage(Math.max(0, offset - pageSize))}>
          Previous
        </button>
        <button
          type="button"
          disabled={offset + pageSize >= data.totalMessages}
          onClick={() => onPage(offset + pageSize)}
        >
          Next
        </button>
      </div>
    </div>
  );
}
