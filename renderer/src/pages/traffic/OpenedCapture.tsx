import { formatTime } from '../../format';
import { base64ToText } from '../explorer/util';
import type { Opened } from './CapturePanel';

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
      <table className="grid small">
        <thead>
          <tr>
            <th>Time</th>
            <th>Topic</th>
            <th>QoS</th>
            <th>Size</th>
            <th>Payload</th>
          </tr>
        </thead>
        <tbody>
          {data.messages.map((m, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a capture page is static.
            <tr key={i}>
              <td>{formatTime(m.time)}</td>
              <td className="mono">{m.topic}</td>
              <td>
                {m.qos}
                {m.retain ? ' R' : ''}
              </td>
              <td>{m.size}</td>
              <td className="mono capture-payload">
                {m.payload === null ? (
                  <span className="muted">(redacted)</span>
                ) : (
                  (base64ToText(m.payload) ?? `base64 ${m.payload.slice(0, 60)}`).slice(0, 200)
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
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
