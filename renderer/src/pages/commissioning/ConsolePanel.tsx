import { useState } from 'react';
import { useApiEvent, useMutation, useQuery } from '../../api/hooks';
import { CheckboxField, ErrorNote, SelectField, TextField } from '../../components';
import type { ConsoleEntryDto } from '../../../../preload/contract/serial';

const KEEP = 1000;
type Ending = 'none' | 'lf' | 'cr' | 'crlf';
const ENDINGS: { value: Ending; label: string }[] = [
  { value: 'none', label: 'none' },
  { value: 'lf', label: 'LF' },
  { value: 'cr', label: 'CR' },
  { value: 'crlf', label: 'CR LF' },
];

/** The raw console of one port: text or hex view with timestamps, send text or hex, pause and clear. */
export function ConsolePanel() {
  const ports = useQuery('serial.listPorts', {}, { refetchOn: ['serial.ports'] });
  const m = useMutation();
  const [path, setPath] = useState('');
  const [openPath, setOpenPath] = useState<string>();
  const [entries, setEntries] = useState<ConsoleEntryDto[]>([]);
  const [hex, setHex] = useState(false);
  const [paused, setPaused] = useState(false);
  const [input, setInput] = useState('');
  const [mode, setMode] = useState<'text' | 'hex'>('text');
  const [ending, setEnding] = useState<Ending>('lf');

  useApiEvent('serial.console', (e) => {
    if (e.path === openPath) setEntries((now) => [...now, e.entry].slice(-KEEP));
  });

  const open = async () => {
    if (await m.run('serial.consoleOpen', { path })) {
      setEntries([]);
      setOpenPath(path);
    }
  };
  const close = async () => {
    if (openPath && (await m.run('serial.consoleClose', { path: openPath }))) setOpenPath(undefined);
  };
  const send = async () => {
    if (!openPath) return;
    if (
      await m.run('serial.consoleSend', { path: openPath, data: input, encoding: mode, lineEnding: ending })
    )
      setInput('');
  };
  const control = async (change: { paused?: boolean; clear?: boolean }) => {
    if (!openPath) return;
    if (await m.run('serial.consoleControl', { path: openPath, ...change })) {
      if (change.paused !== undefined) setPaused(change.paused);
      if (change.clear) setEntries([]);
    }
  };

  return (
    <section className="panel" data-testid="commissioning-console">
      <h2>Console</h2>
      <ErrorNote message={m.error} />
      <div className="cm-row">
        <SelectField
          label="Port"
          value={path}
          onChange={setPath}
          testId="console-port"
          options={[{ value: '', label: 'Choose…' }, ...(ports.data?.ports ?? []).map((p) => p.path)]}
        />
        {openPath ? (
          <button type="button" onClick={close} data-testid="console-close">
            Close {openPath}
          </button>
        ) : (
          <button type="button" onClick={open} disabled={path === '' || m.busy} data-testid="console-open">
            Open (115200 8N1)
          </button>
        )}
        <CheckboxField label="Hex view" checked={hex} onChange={setHex} />
        <button type="button" onClick={() => control({ paused: !paused })} disabled={!openPath}>
          {paused ? 'Resume' : 'Pause'}
        </button>
        <button type="button" onClick={() => control({ clear: true })} disabled={!openPath}>
          Clear
        </button>
      </div>
      <pre className="cm-console" data-testid="console-output">
        {entries.map((e) => (
          <div key={e.seq} className={`cm-${e.direction}`}>
            {new Date(e.at).toISOString().slice(11, 23)} {e.direction === 'in' ? '←' : '→'}{' '}
            {hex ? e.hex.replace(/(..)/g, '$1 ') : e.text}
          </div>
        ))}
      </pre>
      <div className="cm-row">
        <TextField
          label="Send"
          value={input}
          onChange={setInput}
          testId="console-input"
          disabled={!openPath}
        />
        <SelectField
          label="As"
          value={mode}
          onChange={(v) => setMode(v as 'text' | 'hex')}
          options={['text', 'hex'] as const}
        />
        <SelectField
          label="Line ending"
          value={ending}
          onChange={(v) => setEnding(v as Ending)}
          options={ENDINGS}
        />
        <button type="button" onClick={send} disabled={!openPath || input === ''} data-testid="console-send">
          Send
        </button>
      </div>
    </section>
  );
}
