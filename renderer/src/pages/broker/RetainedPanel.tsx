import { useState } from 'react';
import { useMutation, useQuery } from '../../api/hooks';
import { ErrorNote, VirtualList } from '../../components';
import { formatBytes } from '../../format';
import { formatAgo } from './format';
import { topicFilterIssue } from './topic';

/** Decodes a base64 preview: text when it is printable UTF-8, otherwise hex. */
function preview(base64: string, truncated: boolean): { text: string; binary: boolean } {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  try {
    const text = new TextDecoder('utf-8', { fatal: !truncated }).decode(bytes);
    if (!/[\u0000-\u0008\u000e-\u001f]/.test(text))
      return { text: text + (truncated ? '…' : ''), binary: false };
  } catch {
    // not UTF-8
  }
  const hex = Array.from(bytes.slice(0, 48), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return { text: hex + (truncated || bytes.length > 48 ? ' …' : ''), binary: true };
}

/** Retained messages matching a topic filter, with a per-topic clear. */
export function RetainedPanel() {
  const [draft, setDraft] = useState('#');
  const [filter, setFilter] = useState('#');
  const query = useQuery('broker.listRetained', { filter, limit: 10_000, previewBytes: 128 });
  const [clearing, setClearing] = useState<string>();
  const clearer = useMutation();
  const issue = topicFilterIssue(draft);
  const messages = query.data?.messages ?? [];
  const now = Date.now();

  const clear = async (topic: string) => {
    setClearing(topic);
    const outcome = await clearer.attempt('broker.clearRetained', { topic });
    if (outcome.ok) query.reload();
    else clearer.setError(`${topic}: ${outcome.message}`);
    setClearing(undefined);
  };

  return (
    <section aria-label="Retained messages">
      <form
        className="brk-toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          if (!issue) {
            setFilter(draft);
            if (draft === filter) query.reload();
          }
        }}
      >
        <label>
          Topic filter{' '}
          <input
            className="mono"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            aria-invalid={issue ? true : undefined}
            aria-label="Retained topic filter"
          />
        </label>
        <button type="submit" disabled={!!issue}>
          Show
        </button>
        <span className="muted" data-testid="retained-count">
          {query.data
            ? `${query.data.total} retained${query.data.total > messages.length ? `, first ${messages.length} listed` : ''}`
            : 'Loading…'}
        </span>
        {issue ? (
          <span className="brk-field-error" role="alert">
            {issue}
          </span>
        ) : null}
      </form>
      <ErrorNote message={query.error} />
      <ErrorNote message={clearer.error} />
      <div className="brk-table brk-retained-table">
        <div className="brk-row brk-head">
          <span>Topic</span>
          <span>QoS</span>
          <span className="num">Size</span>
          <span>Stored</span>
          <span>Payload</span>
          <span>
            <span className="visually-hidden">Actions</span>
          </span>
        </div>
        {messages.length === 0 ? (
          <p className="muted brk-empty">
            {query.loading && !query.data ? 'Loading…' : 'No retained messages match.'}
          </p>
        ) : (
          <VirtualList
            className="brk-vrows"
            count={messages.length}
            rowHeight={30}
            maxHeight={420}
            renderRow={(i, style) => {
              const m = messages[i]!;
              const p = preview(m.payloadPreview, m.truncated);
              return (
                <div key={m.topic} style={style} className="brk-row" data-testid="retained-row">
                  <span className="mono ellipsis" title={m.topic}>
                    {m.topic}
                  </span>
                  <span>{m.qos}</span>
                  <span className="num">{formatBytes(m.size)}</span>
                  <span className="muted" title={new Date(m.storedAt).toLocaleString()}>
                    {formatAgo(m.storedAt, now)}
                  </span>
                  <span className={`mono ellipsis${p.binary ? ' muted' : ''}`} title={p.text}>
                    {m.contentType ? <span className="brk-tag">{m.contentType}</span> : null}
                    {p.text}
                  </span>
                  <span>
                    <button
                      type="button"
                      className="small-button"
                      disabled={clearing === m.topic}
                      onClick={() => void clear(m.topic)}
                      aria-label={`Clear retained message of ${m.topic}`}
                    >
                      Clear
                    </button>
                  </span>
                </div>
              );
            }}
          />
        )}
      </div>
    </section>
  );
}
