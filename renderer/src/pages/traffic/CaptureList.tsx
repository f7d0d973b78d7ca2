import { formatBytes, formatTime } from '../../format';
import type { CaptureInfo } from './CapturePanel';

/** Captures of this session: running ones say so, finished ones can be opened. */
export function CaptureList({
  captures,
  onOpen,
}: {
  captures: readonly CaptureInfo[];
  onOpen(file: string): void;
}) {
  if (captures.length === 0) return null;
  return (
    <table className="grid captures">
      <thead>
        <tr>
          <th>Started</th>
          <th>File</th>
          <th>Messages</th>
          <th>Size</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {captures.map((c) => (
          <tr key={c.captureId}>
            <td>{formatTime(c.startedAt)}</td>
            <td className="mono small">{c.file}</td>
            <td>{c.messages.toLocaleString()}</td>
            <td>{formatBytes(c.bytes)}</td>
            <td>
              {c.active ? (
                'recording'
              ) : (
                <button type="button" onClick={() => onOpen(c.file)}>
                  Open
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
