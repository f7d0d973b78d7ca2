import { useMemo } from 'react';
import type { DecodedPayload } from '../../../../preload/contract/explorer';
import { JsonTree } from './JsonTree';
import { base64ToBytes, lineDiff, prettyText } from './util';

export const FORMAT_LABELS: Record<string, string> = {
  json: 'JSON',
  text: 'Text',
  hex: 'Hex',
  base64: 'Base64',
  kura: 'Kura',
  sparkplugb: 'Sparkplug B',
  cbor: 'CBOR',
};

/** Text larger than this is shown in part, with the size said and the full payload a click away. */
const SHOW_TEXT_CHARS = 256 * 1024;

/** Bytes as hex, 16 a line, so binary payloads diff line by line too (first 64 KiB). */
export function hexLines(b64: string): string {
  const bytes = base64ToBytes(b64).subarray(0, 65536);
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row = Array.from(bytes.subarray(i, i + 16), (x) => x.toString(16).padStart(2, '0')).join(' ');
    lines.push(`${i.toString(16).padStart(8, '0')}  ${row}`);
  }
  return lines.join('\n');
}

export function PayloadText({ text, label }: { text: string; label: string }) {
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

export function DecodedView({ format, decoded }: { format: string; decoded: DecodedPayload }) {
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

export function DiffView({ before, after }: { before: string; after: string }) {
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

export function PropertiesTable({ properties }: { properties: Record<string, unknown> }) {
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
