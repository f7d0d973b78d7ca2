import type { DecodedPayload, ExplorerMessage } from '../../../../preload/contract/explorer';
import { formatBytes } from '../../format';
import { DecodedView, DiffView, FORMAT_LABELS, PropertiesTable } from './payload-views';

const FORMAT_ORDER = ['json', 'kura', 'sparkplugb', 'cbor', 'base64', 'text', 'hex'];

/** One message: its facts, the payload in each decoded view or as a diff, and its actions. */
export function MessageDetail({
  message,
  decoded,
  format,
  onFormat,
  hasPrevious,
  showDiff,
  onShowDiff,
  diff,
  fullLoaded,
  onOpenFull,
  onSave,
  republishing,
  onRepublish,
}: {
  message: ExplorerMessage;
  decoded: DecodedPayload | undefined;
  format: string | undefined;
  onFormat(format: string): void;
  hasPrevious: boolean;
  showDiff: boolean;
  onShowDiff(show: boolean): void;
  diff: { before: string; after: string } | undefined;
  /** The whole stored payload was fetched (large payloads come without it). */
  fullLoaded: boolean;
  onOpenFull(): void;
  onSave(): void;
  republishing: boolean;
  onRepublish(): void;
}) {
  const formats = decoded ? FORMAT_ORDER.filter((f) => decoded.views[f]) : [];
  return (
    <div className="message-detail">
      <dl className="facts compact">
        <dt>Time</dt>
        <dd>{new Date(message.time).toLocaleString()}</dd>
        <dt>QoS / retain</dt>
        <dd>
          {message.qos} / {message.retain ? 'retained' : 'no'}
        </dd>
        <dt>Size</dt>
        <dd data-testid="payload-size">
          {message.size.toLocaleString()} bytes ({formatBytes(message.size)})
        </dd>
        {message.clientId ? (
          <>
            <dt>Client</dt>
            <dd className="mono">{message.clientId}</dd>
          </>
        ) : null}
      </dl>
      {message.truncated ? (
        <div className="warn-note" role="note" data-testid="truncated-note">
          This payload is {message.size.toLocaleString()} bytes; only the first{' '}
          {message.storedSize.toLocaleString()} bytes were stored. The views below show the stored part.
        </div>
      ) : null}
      {message.payload === null && !fullLoaded ? (
        <div className="warn-note" role="note">
          Large payload ({formatBytes(message.storedSize)} stored): decoded views use the whole stored
          payload.{' '}
          <button type="button" onClick={onOpenFull} data-testid="open-full">
            Open full payload
          </button>
        </div>
      ) : null}
      <div className="format-tabs" role="tablist" aria-label="Payload view">
        {formats.map((f) => (
          <button
            type="button"
            role="tab"
            key={f}
            aria-selected={format === f}
            className={decoded?.views[f]?.ok ? '' : 'unavailable'}
            onClick={() => onFormat(f)}
            data-testid={`format-${f}`}
          >
            {FORMAT_LABELS[f] ?? f}
            {decoded?.detected === f ? ' •' : ''}
          </button>
        ))}
        <span className="spacer" />
        <label className="check small">
          <input
            type="checkbox"
            checked={showDiff}
            onChange={(e) => onShowDiff(e.target.checked)}
            disabled={!hasPrevious}
            data-testid="show-diff"
          />
          diff with previous
        </label>
        <button type="button" onClick={onSave} data-testid="save-payload">
          Save
        </button>
        <button
          type="button"
          onClick={onRepublish}
          disabled={republishing}
          title="Publish this message again"
        >
          Re-publish
        </button>
      </div>
      <div className="payload-view" data-testid="payload-view" data-format={format}>
        {showDiff && diff ? (
          <DiffView before={diff.before} after={diff.after} />
        ) : decoded && format ? (
          <DecodedView format={format} decoded={decoded} />
        ) : (
          <p className="muted">Decoding…</p>
        )}
      </div>
      {message.properties ? <PropertiesTable properties={message.properties} /> : null}
    </div>
  );
}
