import { useState } from 'react';
import type { ResponseOf } from '../../../../preload/contract';
import { useApiEvent, useMutation, useQuery } from '../../api/hooks';
import { CheckboxField, ErrorNote } from '../../components';
import { formatBytes } from '../../format';
import { useConnections } from '../explorer/connections-store';
import { CaptureList } from './CaptureList';
import { ExportFiles } from './ExportFiles';
import { ExportForm } from './ExportForm';
import { OpenedCapture } from './OpenedCapture';

export type CaptureInfo = ResponseOf<'explorer.capture.list'>['captures'][number];
export type Opened = ResponseOf<'explorer.capture.open'>;

const OPEN_PAGE = 200;

/** Capture to a file, open a saved capture, export stored messages, replay a capture. */
export function CapturePanel() {
  const connectionId = useConnections((s) => s.selectedId);
  const captures = useQuery('explorer.capture.list', {});
  const files = useQuery('explorer.files.list', {});
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
      files.reload();
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
            <CheckboxField label="Redact payloads" checked={redactPayloads} onChange={setRedactPayloads} />
            <CheckboxField
              label="Redact credentials"
              checked={redactCredentials}
              onChange={setRedactCredentials}
            />
            <CheckboxField label="Include packets" checked={includePackets} onChange={setIncludePackets} />
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
      <CaptureList
        captures={list}
        onOpen={(path) => {
          setFile(path);
          void open(path);
        }}
      />
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (file) void open(file);
        }}
      >
        <label className="field wide">
          <span>Capture file (a .jsonl name in the exports folder)</span>
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
        <OpenedCapture
          file={opened.file}
          offset={opened.offset}
          data={opened.data}
          pageSize={OPEN_PAGE}
          onPage={(offset) => void open(opened.file, offset)}
        />
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
      <ExportForm
        connectionId={connectionId}
        onExported={(notice) => {
          setNotice(notice);
          files.reload();
        }}
      />
      {notice ? (
        <p role="status" className="muted" data-testid="capture-notice">
          {notice}
        </p>
      ) : null}
      <ErrorNote message={action.error ?? captures.error} />
      <ExportFiles
        files={files}
        onOpen={(name) => {
          setFile(name);
          void open(name);
        }}
      />
    </section>
  );
}
