import { useMemo, useState } from 'react';
import type { AuditEntry } from '../../../../../preload/contract/tenancy';
import { useMutation, useQuery } from '../../../api/hooks';
import { ErrorNote, PageHeader } from '../../../components';

import { formatWhen, fromLocalInput } from '../shared/dates';

const PAGE = 100;
const ACTION_GROUPS = [
  'accounts.',
  'services.',
  'endpoints.',
  'credentials.',
  'accessRules.',
  'apiKeys.',
  'connections.',
  'listeners.',
  'pki.',
];

interface Filter {
  from: string;
  to: string;
  actor: string;
  action: string;
  target: string;
}

function toRequest(f: Filter) {
  const from = fromLocalInput(f.from);
  // The inputs have minute precision; "to" includes its whole minute.
  const toMinute = fromLocalInput(f.to);
  const to = toMinute === null ? null : toMinute + 59_999;
  return {
    ...(from !== null ? { from } : {}),
    ...(to !== null ? { to } : {}),
    ...(f.actor.trim() ? { actor: f.actor.trim() } : {}),
    ...(f.action.trim() ? { action: f.action.trim() } : {}),
    ...(f.target.trim() ? { target: f.target.trim() } : {}),
  };
}

/** The audit log of operator changes: filter, page through, and export as CSV or JSON. */
export function AuditPage() {
  const [filter, setFilter] = useState<Filter>({ from: '', to: '', actor: '', action: '', target: '' });
  const [applied, setApplied] = useState(filter);
  const [offset, setOffset] = useState(0);
  const [open, setOpen] = useState<number>();
  const query = useQuery('audit.query', { ...toRequest(applied), limit: PAGE, offset });
  const entries: AuditEntry[] = query.data?.entries ?? [];
  const total = query.data?.total ?? 0;
  const error = query.error;
  const exporter = useMutation();

  const download = async (format: 'csv' | 'json') => {
    const r = await exporter.attempt('audit.export', { ...toRequest(applied), format });
    if (!r.ok) return;
    const url = URL.createObjectURL(new Blob([r.data.content], { type: r.data.mimeType }));
    const a = document.createElement('a');
    a.href = url;
    a.download = r.data.filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  const set = (k: keyof Filter) => (e: { target: { value: string } }) =>
    setFilter((f) => ({ ...f, [k]: e.target.value }));
  const fromBad = filter.from !== '' && fromLocalInput(filter.from) === null;

  return (
    <div className="page tn-page" data-testid="tenancy-audit-page">
      <PageHeader title="Audit log">
        <span className="muted" data-testid="audit-total">
          {total} entr{total === 1 ? 'y' : 'ies'}
        </span>
        <button type="button" onClick={query.reload}>
          Refresh
        </button>
        <button type="button" onClick={() => void download('csv')} data-testid="audit-export-csv">
          Export CSV
        </button>
        <button type="button" onClick={() => void download('json')} data-testid="audit-export-json">
          Export JSON
        </button>
      </PageHeader>
      <ErrorNote message={error ?? exporter.error} />
      <section className="panel">
        <form
          className="tn-form-row"
          onSubmit={(e) => {
            e.preventDefault();
            setOffset(0);
            setApplied(filter);
          }}
        >
          <label>
            From
            <input
              type="datetime-local"
              value={filter.from}
              onChange={set('from')}
              aria-invalid={fromBad || undefined}
            />
          </label>
          <label>
            To
            <input type="datetime-local" value={filter.to} onChange={set('to')} />
          </label>
          <label>
            Action
            <input
              list="tn-audit-actions"
              value={filter.action}
              onChange={set('action')}
              placeholder="e.g. accounts."
              data-testid="audit-action"
            />
            <datalist id="tn-audit-actions">
              {ACTION_GROUPS.map((a) => (
                <option key={a} value={a}>
                  every {a.slice(0, -1)} action
                </option>
              ))}
            </datalist>
          </label>
          <label>
            Target
            <input
              value={filter.target}
              onChange={set('target')}
              placeholder="e.g. account:acme"
              data-testid="audit-target"
            />
          </label>
          <label>
            Actor
            <input value={filter.actor} onChange={set('actor')} />
          </label>
          <button type="submit" className="primary" data-testid="audit-apply">
            Apply
          </button>
          <button
            type="button"
            onClick={() => {
              const cleared = { from: '', to: '', actor: '', action: '', target: '' };
              setFilter(cleared);
              setApplied(cleared);
              setOffset(0);
            }}
          >
            Clear
          </button>
        </form>
        <p className="muted tn-hint">
          An action ending in "." matches the whole group (accounts. = every account change).
        </p>
        <Histogram entries={entries} />
      </section>
      <section className="panel">
        <div className="tn-table-wrap">
          <table className="grid tn-table" data-testid="audit-table">
            <thead>
              <tr>
                <th>Time</th>
                <th>Action</th>
                <th>Target</th>
                <th>Actor</th>
                <th>Via</th>
                <th>Details</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-testid="audit-row" data-action={e.action}>
                  <td>{formatWhen(e.at)}</td>
                  <td className="mono">{e.action}</td>
                  <td className="mono">{e.target ?? '–'}</td>
                  <td>{e.actor}</td>
                  <td>{e.transport}</td>
                  <td className={open === e.id ? 'tn-wrap-cell' : 'tn-details-cell'}>
                    {open === e.id ? (
                      <>
                        <pre className="tn-details-json mono">{JSON.stringify(e.details, null, 2)}</pre>
                        <button type="button" className="tn-link" onClick={() => setOpen(undefined)}>
                          hide
                        </button>
                      </>
                    ) : (
                      <button type="button" className="tn-link" onClick={() => setOpen(e.id)}>
                        {summary(e.details)}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {entries.length === 0 ? <p className="tn-empty">No entries match.</p> : null}
        </div>
        <div className="tn-actions">
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            Newer
          </button>
          <span className="muted">
            {total === 0 ? 0 : offset + 1}–{Math.min(total, offset + PAGE)} of {total}
          </span>
          <button type="button" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>
            Older
          </button>
        </div>
      </section>
    </div>
  );
}

function summary(details: unknown): string {
  if (details === null || details === undefined) return '–';
  const text = JSON.stringify(details);
  return text.length > 44 ? `${text.slice(0, 42)}…` : text;
}

const STEPS: Array<[number, string]> = [
  [1_000, 'second'],
  [10_000, '10 seconds'],
  [60_000, 'minute'],
  [600_000, '10 minutes'],
  [3_600_000, 'hour'],
  [21_600_000, '6 hours'],
  [86_400_000, 'day'],
  [604_800_000, 'week'],
];

/** Changes per time bucket (a round interval chosen so there are at most 60 bars) for the entries on screen. */
function Histogram({ entries }: { entries: AuditEntry[] }) {
  const bars = useMemo(() => {
    if (entries.length === 0) return undefined;
    const times = entries.map((e) => e.at);
    const min = Math.min(...times);
    const max = Math.max(...times);
    const [step, unit] = STEPS.find(([ms]) => (max - min) / ms < 60) ?? STEPS[STEPS.length - 1]!;
    const start = Math.floor(min / step) * step;
    const buckets = Math.max(1, Math.floor((max - start) / step) + 1);
    const counts = new Array<number>(buckets).fill(0);
    for (const t of times) counts[Math.min(buckets - 1, Math.floor((t - start) / step))]!++;
    return { counts, start, step, end: start + buckets * step, unit, peak: Math.max(...counts) };
  }, [entries]);
  if (!bars) return null;
  const n = Math.max(bars.counts.length, 12);
  const w = 100 / n;
  return (
    <figure style={{ margin: '8px 0 0' }}>
      <svg
        className="tn-histogram"
        viewBox="0 0 100 40"
        preserveAspectRatio="none"
        role="img"
        aria-label={`Changes per ${bars.unit}, ${formatWhen(bars.start)} to ${formatWhen(bars.end)}`}
        data-testid="audit-histogram"
      >
        <line x1="0" x2="100" y1="39.8" y2="39.8" stroke="currentColor" strokeWidth="0.4" opacity={0.4} />
        {bars.counts.map((c, i) =>
          c > 0 ? (
            <rect
              // biome-ignore lint/suspicious/noArrayIndexKey: buckets are positional.
              key={i}
              x={i * w + w * 0.1}
              width={w * 0.8}
              y={40 - (c / bars.peak) * 38}
              height={(c / bars.peak) * 38}
              fill="currentColor"
              opacity={0.75}
            >
              <title>{`${formatWhen(bars.start + i * bars.step)}: ${c} change${c === 1 ? '' : 's'}`}</title>
            </rect>
          ) : null,
        )}
      </svg>
      <figcaption className="muted tn-hint" style={{ display: 'flex', justifyContent: 'space-between' }}>
        <span>{formatWhen(bars.start)}</span>
        <span>
          changes per {bars.unit} on this page (peak {bars.peak})
        </span>
        <span>{formatWhen(bars.end)}</span>
      </figcaption>
    </figure>
  );
}
