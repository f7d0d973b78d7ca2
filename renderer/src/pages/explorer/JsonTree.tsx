import { useState } from 'react';

const MAX_CHILDREN = 500;

function summary(value: unknown): string {
  if (Array.isArray(value)) return `[${value.length}]`;
  if (value && typeof value === 'object') return `{${Object.keys(value).length}}`;
  return '';
}

function Scalar({ value }: { value: unknown }) {
  if (value === null) return <span className="json-null">null</span>;
  switch (typeof value) {
    case 'string':
      return <span className="json-string">{JSON.stringify(value)}</span>;
    case 'number':
    case 'bigint':
      return <span className="json-number">{String(value)}</span>;
    case 'boolean':
      return <span className="json-bool">{String(value)}</span>;
    default:
      return <span className="json-null">{String(value)}</span>;
  }
}

function JsonNode({ name, value, depth }: { name: string | undefined; value: unknown; depth: number }) {
  const composite = value !== null && typeof value === 'object';
  const [open, setOpen] = useState(depth < 3);
  const label = name !== undefined ? <span className="json-key">{name}: </span> : null;
  if (!composite) {
    return (
      <div className="json-line">
        {label}
        <Scalar value={value} />
      </div>
    );
  }
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value as Record<string, unknown>);
  return (
    <div className="json-node">
      <button
        type="button"
        className="json-toggle"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        title={open ? 'Collapse' : 'Expand'}
      >
        {open ? '▾' : '▸'}
      </button>
      {label}
      <span className="muted">{summary(value)}</span>
      {open ? (
        <div className="json-children">
          {entries.slice(0, MAX_CHILDREN).map(([k, v]) => (
            <JsonNode key={k} name={k} value={v} depth={depth + 1} />
          ))}
          {entries.length > MAX_CHILDREN ? (
            <div className="muted">… {entries.length - MAX_CHILDREN} more entries (see the Text view)</div>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

/** A collapsible JSON document (also used for decoded Kura, Sparkplug B and CBOR values). */
export function JsonTree({ value }: { value: unknown }) {
  return (
    <div className="json-tree mono" data-testid="json-tree">
      <JsonNode name={undefined} value={value} depth={0} />
    </div>
  );
}
