import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { DecodedPayload, ExplorerMessage } from '../../../../preload/contract/explorer';
import { errorMessage } from '../../api/api-call-error';
import { api } from '../../api/client';
import { useMutation } from '../../api/hooks';
import { ErrorNote } from '../../components';
import { formatBytes, formatTime } from '../../format';
import { JsonTree } from './JsonTree';
import { SeriesChart, type SeriesData } from './SeriesChart';
import { treeModel, useTree } from './tree-store';
import { base64ToBytes, base64ToText, downloadBlob, fileSafe, lineDiff, prettyText } from './util';

const PAGE = 100;
/** Text larger than this is shown in part, with the size said and the full payload a click away. */
const SHOW_TEXT_CHARS = 256 * 1024;
const REFRESH_MS = 1000;

const FORMAT_LABELS: Record<string, string> = {
  json: 'JSON',
  text: 'Text',
  hex: 'Hex',
  base64: 'Base64',
  kura: 'Kura',
  sparkplugb: 'Sparkplug B',
  cbor: 'CBOR',
};
const FORMAT_ORDER = ['json', 'kura', 'sparkplugb', 'cbor', 'base64', 'text', 'hex'];

/** Bytes as hex, 16 a line, so binary payloads diff line by line too (first 64 KiB). */
function hexLines(b64: string): string {
  const bytes = base64ToBytes(b64).subarray(0, 65536);
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row = Array.from(bytes.subarray(i, i + 16), (x) => x.toString(16).padStart(2, '0')).join(' ');
    lines.push(`${i.toString(16).padStart(8, '0')}  ${row}`);
  }
  return lines.join('\n');
}

/** The stored bytes of a message as base64: inline when small, else fetched. */
async function payloadOf(m: ExplorerMessage): Promise<string> {
  if (m.payload !== null) return m.payload;
  return (await api().call('explorer.payload', { id: m.id })).payload;
}

function PayloadText({ text, label }: { text: string; label: string }) {
  const shown = text.length > SHOW_TEXT_CHARS ? text.slice(0, SHOW_TEXT_CHARS) : text;
  return (
    <>
      {text.length > SHOW_TEXT_CHARS ? (
        <div className="warn-note" role="note">
          Showing the first {SHOW_TEXT_CHARS.toLocaleString()} of {text.length.toLocaleString()} characters of
          the {label} view. Use “Save” for everything.
        </div>
      ) : null}
      <pre
        className={`payload-text mono ${label === 'Hex' || label === 'Base64' ? 'nowrap' : ''}`}
        data-testid="payload-text"
      >
        {shown}
      </pre>
    </>
  );
}

function DecodedView({ format, decoded }: { format: string; decoded: DecodedPayload }) {
  const view = decoded.views[format];
  if (!view) return <p className="muted">Not available for this payload.</p>;
  if (!view.ok)
    return (
      <div className="error-note">
        Not valid {FORMAT_LABELS[format] ?? format}: {view.error}
      </div>
    );
  const value = view.value;
  if (format === 'text' || format === 'hex')
    return <PayloadText text={String(value)} label={FORMAT_LABELS[format]!} />;
  if (format === 'base64' && value && typeof value === 'object' && 'hex' in value) {
    const v = value as { bytes: number; hex: string };
    return (
      <>
        <div className="muted small">Base64 text decodes to {v.bytes.toLocaleString()} bytes:</div>
        <PayloadText text={v.hex} label="Base64" />
      </>
    );
  }
  return <JsonTree value={value} />;
}

function DiffView({ before, after }: { before: string; after: string }) {
  const lines = useMemo(() => lineDiff(prettyText(before), prettyText(after)), [before, after]);
  const changed = lines.filter((l) => l.kind !== 'same').length;
  return (
    <div className="diff" data-testid="payload-diff">
      <div className="muted small">
        {changed === 0
          ? 'Identical to the previous message.'
          : `${changed} changed lines against the previous message.`}
      </div>
      <pre className="mono">
        {lines.map((l, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a diff is static text.
          <div key={i} className={`diff-${l.kind}`}>
            {l.kind === 'add' ? '+ ' : l.kind === 'del' ? '- ' : '  '}
            {l.text}
          </div>
        ))}
      </pre>
    </div>
  );
}

function PropertiesTable({ properties }: { properties: Record<string, unknown> }) {
  const entries = Object.entries(properties);
  if (entries.length === 0) return null;
  return (
    <table className="grid properties" data-testid="mqtt-properties">
      <caption>MQTT 5 properties</caption>
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th>{k}</th>
            <td className="mono">{typeof v === 'string' ? v : JSON.stringify(v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** History, payload views, properties, diff and chart of the selected topic. */
export function MessagePanel({ onRepublish }: { onRepublish?(m: ExplorerMessage): void }) {
  const selected = useTree((s) => s.selected);
  const connectionId = useTree((s) => s.connectionId);
  useTree((s) => s.values);
  const node = selected ? treeModel.nodes.get(selected) : undefined;
  const [messages, setMessages] = useState<ExplorerMessage[]>([]);
  const [more, setMore] = useState(false);
  const [selectedId, setSelectedId] = useState<number>();
  const [error, setError] = useState<string>();
  const [decoded, setDecoded] = useState<DecodedPayload>();
  const [format, setFormat] = useState<string>();
  const [full, setFull] = useState<{ id: number; payload: string }>();
  const [diff, setDiff] = useState<{ before: string; after: string } | undefined>();
  const [showDiff, setShowDiff] = useState(false);
  const [series, setSeries] = useState<SeriesData>();
  const follow = useRef(true);
  const action = useMutation();
  const lastRefresh = useRef(0);
  const refreshTimer = useRef<ReturnType<typeof setTimeout>>(undefined);

  const message = messages.find((m) => m.id === selectedId) ?? messages[0];
  const index = message ? messages.indexOf(message) : -1;
  const previous = index >= 0 ? messages[index + 1] : undefined;

  const current = useRef({ connectionId, selected });
  current.current = { connectionId, selected };

  const loadHead = useCallback(async () => {
    if (!selected) return;
    lastRefresh.current = Date.now();
    try {
      const [res, s] = await Promise.all([
        api().call('explorer.history', { connectionId, topic: selected, limit: PAGE }),
        api().call('explorer.series', { connectionId, topic: selected, limit: 1000 }),
      ]);
      // A late answer for a topic that is no longer selected must not replace the current one.
      if (current.current.selected !== selected || current.current.connectionId !== connectionId) return;
      setMessages((old) => {
        if (old.length === 0 || old[0]!.topic !== selected) {
          setMore(res.more);
          return res.messages;
        }
        const top = old[0]!.id;
        const fresh = res.messages.filter((m) => m.id > top);
        return fresh.length ? [...fresh, ...old] : old;
      });
      setSeries(s.series.length > 0 && s.times.length > 0 ? s : undefined);
      setError(undefined);
    } catch (err) {
      if (current.current.selected === selected) setError(errorMessage(err));
    }
  }, [connectionId, selected]);

  // A new topic: start over.
  useEffect(() => {
    setMessages([]);
    setSelectedId(undefined);
    setSeries(undefined);
    setMore(false);
    follow.current = true;
    void loadHead();
  }, [loadHead]);

  // Live: when the node changes, refresh at most once a second (always with the current topic).
  const loadHeadRef = useRef(loadHead);
  loadHeadRef.current = loadHead;
  const lastTime = node?.lastTime;
  const nodeMessages = node?.messages;
  // biome-ignore lint/correctness/useExhaustiveDependencies: lastTime and the count are the triggers.
  useEffect(() => {
    if (!selected || refreshTimer.current) return;
    const wait = Math.max(0, REFRESH_MS - (Date.now() - lastRefresh.current));
    refreshTimer.current = setTimeout(() => {
      refreshTimer.current = undefined;
      void loadHeadRef.current();
    }, wait);
  }, [lastTime, nodeMessages]);
  useEffect(
    () => () => {
      if (refreshTimer.current) clearTimeout(refreshTimer.current);
    },
    [],
  );

  // Follow the newest message unless the user picked an older one.
  useEffect(() => {
    if (follow.current && messages[0]) setSelectedId(messages[0].id);
  }, [messages]);

  // Decode the selected message.
  const messageId = message?.id;
  useEffect(() => {
    setDecoded(undefined);
    setFull(undefined);
    if (messageId === undefined) return;
    let live = true;
    api()
      .call('explorer.decode', { id: messageId })
      .then(
        (d) => {
          if (!live) return;
          setDecoded(d);
          setFormat((f) => (f && d.views[f]?.ok && f !== 'hex' && f !== 'text' ? f : d.detected));
        },
        (err) => live && setError(errorMessage(err)),
      );
    return () => {
      live = false;
    };
  }, [messageId]);

  // The diff against the previous message on the same topic.
  useEffect(() => {
    setDiff(undefined);
    if (!showDiff || !message || !previous) return;
    let live = true;
    Promise.all([payloadOf(previous), payloadOf(message)]).then(
      ([a, b]) => {
        if (!live) return;
        const before = base64ToText(a);
        const after = base64ToText(b);
        if (before !== undefined && after !== undefined) setDiff({ before, after });
        else setDiff({ before: hexLines(a), after: hexLines(b) });
      },
      (err) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [showDiff, message, previous]);

  const loadOlder = async () => {
    const last = messages.at(-1);
    if (!selected || !last) return;
    try {
      const res = await api().call('explorer.history', {
        connectionId,
        topic: selected,
        before: last.id,
        limit: PAGE,
      });
      setMessages((old) => [...old, ...res.messages]);
      setMore(res.more);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const openFull = async () => {
    if (!message) return;
    try {
      const p = await api().call('explorer.payload', { id: message.id });
      setFull({ id: message.id, payload: p.payload });
      const d = await api().call('explorer.decode', { payload: p.payload });
      setDecoded(d);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const save = async () => {
    if (!message) return;
    try {
      const b64 = full?.id === message.id ? full.payload : await payloadOf(message);
      const ext = decoded?.detected === 'json' ? 'json' : decoded?.detected === 'text' ? 'txt' : 'bin';
      downloadBlob(`${fileSafe(message.displayTopic)}-${message.id}.${ext}`, base64ToBytes(b64));
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  if (!selected) {
    return (
      <section className="panel message-panel empty">
        <p className="muted">Select a topic to see its messages.</p>
      </section>
    );
  }

  const formats = decoded ? FORMAT_ORDER.filter((f) => decoded.views[f]) : [];
  return (
    <section className="panel message-panel" aria-label="Messages" data-testid="message-panel">
      <div className="panel-header">
        <h2 className="topic-title mono" data-testid="selected-topic">
          {node?.displayTopic || selected}
        </h2>
        {node?.account ? <span className="account-chip">{node.account}</span> : null}
        <button
          type="button"
          onClick={() => void treeModel.setPinned(selected, !node?.pinned)}
          data-testid="pin"
        >
          {node?.pinned ? 'Unpin' : 'Pin'}
        </button>
      </div>
      {node ? (
        <div className="muted small">
          {node.messages.toLocaleString()} {node.messages === 1 ? 'message' : 'messages'} on this topic ·{' '}
          {node.subtreeMessages.toLocaleString()} including subtopics{node.retained ? ' · retained' : ''}
        </div>
      ) : null}
      <ErrorNote message={error ?? action.error} />
      <div className="message-layout">
        <div className="history">
          <ul className="history-list" aria-label="History" data-testid="history-list">
            {messages.map((m) => (
              <li key={m.id}>
                <button
                  type="button"
                  className={m.id === message?.id ? 'history-item selected' : 'history-item'}
                  onClick={() => {
                    follow.current = m.id === messages[0]?.id;
                    setSelectedId(m.id);
                  }}
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
            <button type="button" onClick={loadOlder} className="load-older">
              Load older
            </button>
          ) : null}
          {messages.length === 0 ? <p className="muted">No stored messages.</p> : null}
        </div>
        {message ? (
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
            {message.payload === null && full?.id !== message.id ? (
              <div className="warn-note" role="note">
                Large payload ({formatBytes(message.storedSize)} stored): decoded views use the whole stored
                payload.{' '}
                <button type="button" onClick={openFull} data-testid="open-full">
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
                  onClick={() => setFormat(f)}
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
                  onChange={(e) => setShowDiff(e.target.checked)}
                  disabled={!previous}
                  data-testid="show-diff"
                />
                diff with previous
              </label>
              <button type="button" onClick={save} data-testid="save-payload">
                Save
              </button>
              <button
                type="button"
                onClick={async () => {
                  const ok = await action.run('explorer.republish', { id: message.id });
                  if (ok) onRepublish?.(message);
                }}
                disabled={action.busy}
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
        ) : null}
      </div>
      {series ? (
        <div className="chart-block">
          <h3>Numeric values over time</h3>
          <SeriesChart data={series} />
        </div>
      ) : null}
    </section>
  );
}
