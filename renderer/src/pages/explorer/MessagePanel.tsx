import { useCallback, useEffect, useRef, useState } from 'react';
import type { DecodedPayload, ExplorerMessage } from '../../../../preload/contract/explorer';
import { errorMessage } from '../../api/api-call-error';
import { api } from '../../api/client';
import { useMutation } from '../../api/hooks';
import { ErrorNote } from '../../components';
import { MessageDetail } from './MessageDetail';
import { MessageHistory } from './MessageHistory';
import { SeriesChart, type SeriesData } from './SeriesChart';
import { treeModel, useTree } from './tree-store';
import { base64ToBytes, base64ToText, downloadBlob, fileSafe } from './util';
import { hexLines } from './payload-views';

const PAGE = 100;
const REFRESH_MS = 1000;

/** The stored bytes of a message as base64: inline when small, else fetched. */
async function payloadOf(m: ExplorerMessage): Promise<string> {
  if (m.payload !== null) return m.payload;
  return (await api().call('explorer.payload', { id: m.id })).payload;
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
  // Changes whenever the topic receives a message (its last time or its count moves).
  const nodeVersion = node ? `${node.lastTime}:${node.messages}` : undefined;
  useEffect(() => {
    if (!selected || nodeVersion === undefined || refreshTimer.current) return;
    const wait = Math.max(0, REFRESH_MS - (Date.now() - lastRefresh.current));
    refreshTimer.current = setTimeout(() => {
      refreshTimer.current = undefined;
      void loadHeadRef.current();
    }, wait);
  }, [selected, nodeVersion]);
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
        <MessageHistory
          messages={messages}
          selectedId={message?.id}
          onPick={(m) => {
            follow.current = m.id === messages[0]?.id;
            setSelectedId(m.id);
          }}
          more={more}
          onLoadOlder={() => void loadOlder()}
        />
        {message ? (
          <MessageDetail
            message={message}
            decoded={decoded}
            format={format}
            onFormat={setFormat}
            hasPrevious={!!previous}
            showDiff={showDiff}
            onShowDiff={setShowDiff}
            diff={diff}
            fullLoaded={full?.id === message.id}
            onOpenFull={() => void openFull()}
            onSave={() => void save()}
            republishing={action.busy}
            onRepublish={async () => {
              const ok = await action.run('explorer.republish', { id: message.id });
              if (ok) onRepublish?.(message);
            }}
          />
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
