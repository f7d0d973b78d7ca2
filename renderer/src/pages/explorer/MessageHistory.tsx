import type { ExplorerMessage } from '../../../../preload/contract/explorer';
import { formatBytes, formatTime } from '../../format';

/** The stored messages of the selected topic, newest first, with "load older". */
export function MessageHistory({
  messages,
  selectedId,
  onPick,
  more,
  onLoadOlder,
}: {
  messages: readonly ExplorerMessage[];
  selectedId: number | undefined;
  onPick(message: ExplorerMessage): void;
  more: boolean;
  onLoadOlder(): void;
}) {
  return (
    <div className="history">
      <ul className="history-list" aria-label="History" data-testid="history-list">
        {messages.map((m) => (
          <li key={m.id}>
            <button
              type="button"
              className={m.id === selectedId ? 'history-item selected' : 'history-item'}
              onClick={() => onPick(m)}
            >
              <span className="mono small">{formatTime(m.time)}</span>
              <span className="history-preview mono">{m.preview}</span>
              <span className="muted small">
                {formatBytes(m.size)}
                {m.retain ? ' · R' : ''}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {more ? (
        <button type="button" onClick={onLoadOlder} className="load-older">
          Load older
        </button>
      ) : null}
      {messages.length === 0 ? <p className="muted">No stored messages.</p> : null}
    </div>
  );
}
