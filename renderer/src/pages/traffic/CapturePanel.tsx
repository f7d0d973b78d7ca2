import { useState } from 'react';
import type { ResponseOf } from '../../../../preload/contract';
import { useApiEvent, useMutation, useQuery } from '../../api/hooks';
import { ErrorNote } from '../../components';
import { formatBytes, formatTime } from '../../format';
import { useConnections } from '../explorer/connections-store';
import { base64ToText, topicFilterProblem } from '../explorer/util';

type CaptureInfo = ResponseOf<'explorer.capture.list'>['captures'][number];
type Opened = ResponseOf<'explorer.capture.open'>;

const OPEN_PAGE = 200;

/** Capture to a file, open a saved capture, export stored messages, replay a capture. */
export function CapturePanel() {
  const connectionId = useConnections((s) => s.selectedId);
  const captures = useQuery('explorer.capture.list', {});
  const [live, setLive] = useState<Record<string, CaptureInfo>>({});
  const [redactPayloads, setRedactPayloads] = useState(false);
  const [redactCredentials, setRedactCredentials] = useState(true);
  const [includePackets, setIncludePackets] = useState(true);
  const [file, setFile] = useState('');
  const [opened, setOpened] = useState<{ file: string; offset: number; data: Opened }>();
  const [speed, setSpeed] = useState('1');
  const [topicPrefix, setTopicPrefix] = useState('');
  const [replay, setReplay] = useState<{
    replayId: string;
    sent: number;
    total: number;
    done: boolean;
    error?: string;
  }>();
  const [exportFormat, setExportFormat] = useState<'csv' | 'json'>('csv');
  const [exportTopic, setExportTopic] = useState('#');
  const [exportFile, setExportFile] = useState('');
  const [notice, setNotice] = useState<string>();
  const action = useMutation();

  useApiEvent('explorer.capture.status', (c) => setLive((l) => ({ ...l, [c.captureId]: c })));
  useApiEvent('explorer.replay.progress', (p) => {
    setReplay((r) => (r && r.replayId === p.replayId ? { ...r, ...p } : r));
  });

  const list = (captures.data?.captures ?? []).map((c) => live[c.captureId] ?? c);
  const active = list.find((c) => c.active && c.connectionId === connectionId);

  const start = async () => {
    const res = await action.run('explorer.capture.start', {
      connectionId,
      redactPayloads,
      redactCredentials,
      includePackets,
    });
    if (res) {
      setNotice(`Capturing to ${res.file}`);
      captures.reload();
    }
  };
  const stop = async (captureId: string) => {
    const res = await action.run('explorer.capture.stop', { captureId });
    if (res) {
      setLive((l) => ({ ...l, [captureId]: res }));
      setFile(res.file);
      setNotice(`Saved ${res.messages} messages and ${res.packets} packets to ${res.file}`);
      captures.reload();
    }
  };
  const open = async (path: string, offset = 0) => {
    const res = await action.run('explorer.capture.open', { file: path, offset, limit: OPEN_PAGE });
    if (res) setOpened({ file: path, offset, data: res });
  };
  const startReplay = async () => {
    const target = opened?.file ?? file;
    if (!target) return;
    const res = await action.run('explorer.replay.start', {
      file: target,
      connectionId,
      speed: Number(speed),
      ...(topicPrefix ? { topicPrefix } : {}),
    });
    if (res) setReplay({ replayId: res.replayId, sent: 0, total: res.total, done: res.total === 0 });
  };
  const exportProblem =
    topicFilterProblem(exportTopic) ?? (exportFile ? undefined : 'Enter a file path on the Fieldbench host.');
  const doExport = async () => {
    if (exportProblem) return;
    const res = await action.run('explorer.export', {
      connectionId,
      topic: exportTopic,
      format: exportFormat,
      file: exportFile,
    });
    if (res) setNotice(`Exported ${res.count} messages to ${res.file}`);
  };

  return (
    <section className="panel capture-panel" aria-label="Capture and replay" data-testid="capture-panel">
      <h2>Capture, export and replay</h2>
      <div className="capture-row">
        {active ? (
          <>
            <span className="recording" data-testid="capture-active">
              ● Capturing {active.messages.toLocaleString()} messages, {active.packets.toLocaleString()}{' '}
              packets ({formatBytes(active.bytes)})
            </span>
            <button
              type="button"
              onClick={() => stop(active.captureId)}
              disabled={action.busy}
              data-testid="capture-stop"
            >
              Stop capture
            </button>
          </>
        ) : (
          <>
            <label className="check">
              <input
                type="checkbox"
                checked={redactPayloads}
                onChange={(e) => setRedactPayloads(e.target.checked)}
              />
              Redact payloads
            </label>
            <label className="check">
              <input
                type="checkbox"
                checked={redactCredentials}
                onChange={(e) => setRedactCredentials(e.target.checked)}
              />
              Redact credentials
            </label>
            <label className="check">
              <input
                type="checkbox"
                checked={includePackets}
                onChange={(e) => setIncludePackets(e.target.checked)}
              />
              Include packets
            </label>
            <button
              type="button"
              className="primary"
              onClick={start}
              disabled={action.busy}
              data-testid="capture-start"
            >
              Start capture
            </button>
          </>
        )}
      </div>
      {list.length > 0 ? (
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
            {list.map((c) => (
              <tr key={c.captureId}>
                <td>{formatTime(c.startedAt)}</td>
                <td className="mono small">{c.file}</td>
                <td>{c.messages.toLocaleString()}</td>
                <td>{formatBytes(c.bytes)}</td>
                <td>
                  {c.active ? (
                    'recording'
                  ) : (
                    <button
                      type="button"
                      onClick={() => {
                        setFile(c.file);
                        void open(c.file);
                      }}
                    >
                      Open
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (file) void open(file);
        }}
      >
        <label className="field wide">
          <span>Capture file (path on the Fieldbench host)</span>
          <input
            value={file}
            onChange={(e) => setFile(e.target.value)}
            className="mono"
            data-testid="capture-file"
          />
        </label>
        <button type="submit" disabled={!file || action.busy} data-testid="capture-open">
          Open capture
        </button>
      </form>
      {opened ? (
        <div className="opened-capture" data-testid="opened-capture">
          <div className="muted small">
            {opened.data.totalMessages.toLocaleString()} messages, {opened.data.packets.toLocaleString()}{' '}
            packets in {opened.file}
            {opened.data.totalMessages > OPEN_PAGE
              ? ` — showing ${opened.offset + 1}–${opened.offset + opened.data.messages.length}`
              : ''}
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
              {opened.data.messages.map((m, i) => (
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
            <button
              type="button"
              disabled={opened.offset === 0}
              onClick={() => open(opened.file, Math.max(0, opened.offset - OPEN_PAGE))}
            >
              Previous
            </button>
            <button
              type="button"
              disabled={opened.offset + OPEN_PAGE >= opened.data.totalMessages}
              onClick={() => open(opened.file, opened.offset + OPEN_PAGE)}
            >
              Next
            </button>
          </div>
        </div>
      ) : null}
      <div className="inline-form replay-form">
        <label className="field">
          <span>Replay speed</span>
          <select value={speed} onChange={(e) => setSpeed(e.target.value)} data-testid="replay-speed">
            <option value="1">original timing</option>
            <option value="10">10× faster</option>
            <option value="100">100× faster</option>
            <option value="0">as fast as possible</option>
          </select>
        </label>
        <label className="field">
          <span>Topic prefix (optional)</span>
          <input value={topicPrefix} onChange={(e) => setTopicPrefix(e.target.value)} placeholder="replay/" />
        </label>
        <button
          type="button"
          onClick={startReplay}
          disabled={!(opened?.file ?? file) || action.busy || (replay !== undefined && !replay.done)}
          data-testid="replay-start"
        >
          Replay into {connectionId === 'local' ? 'the embedded broker' : connectionId}
        </button>
        {replay && !replay.done ? (
          <button
            type="button"
            onClick={() => action.run('explorer.replay.stop', { replayId: replay.replayId })}
          >
            Stop replay
          </button>
        ) : null}
      </div>
      {replay ? (
        <div className="replay-progress" data-testid="replay-progress">
          <progress value={replay.sent} max={Math.max(1, replay.total)} />
          <span data-testid="replay-status">
            {replay.sent.toLocaleString()} of {replay.total.toLocaleString()} messages
            {replay.done ? (replay.error ? ` — stopped: ${replay.error}` : ' — done') : ''}
          </span>
        </div>
      ) : null}
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void doExport();
        }}
      >
        <label className="field">
          <span>Export stored messages</span>
          <select
            data-testid="export-format"
            value={exportFormat}
            onChange={(e) => setExportFormat(e.target.value as 'csv' | 'json')}
          >
            <option value="csv">CSV</option>
            <option value="json">JSON</option>
          </select>
        </label>
        <label className="field">
          <span>Topic filter</span>
          <input value={exportTopic} onChange={(e) => setExportTopic(e.target.value)} />
        </label>
        <label className="field wide">
          <span>File (path on the Fieldbench host)</span>
          <input
            value={exportFile}
            onChange={(e) => setExportFile(e.target.value)}
            placeholder={`/tmp/messages.${exportFormat}`}
            data-testid="export-file"
            className="mono"
          />
        </label>
        <button type="submit" disabled={!!exportProblem || action.busy} data-testid="export-start">
          Export
        </button>
      </form>
      {exportFile && exportProblem ? <span className="field-problem">{exportProblem}</span> : null}
      {notice ? (
        <p role="status" className="muted" data-testid="capture-notice">
          {notice}
        </p>
      ) : null}
      <ErrorNote message={action.error ?? captures.error} />
    </section>
  );
}
