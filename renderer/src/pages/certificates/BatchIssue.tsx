import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useMutation } from '../../api/hooks';
import { Dialog, ErrorNote } from '../../components';
import { namesFromCsv } from './csv';
import { defaultSettings, IssueSettingsFields, settingsIssues } from './IssueWizard';
import { pkiApi } from './pki-api';
import type { BatchProgress } from './types';

const MAX_BATCH = 10_000;

/** Issue one certificate per name in a CSV, with a progress bar fed by the server's progress events. */
export function BatchIssue({ onClose, onDone }: { onClose(): void; onDone(): void }) {
  const [csv, setCsv] = useState('');
  const [settings, setSettings] = useState(defaultSettings);
  const [progress, setProgress] = useState<BatchProgress>();
  const [result, setResult] = useState<{ count: number; batchId: string }>();
  /** Progress events received for the running batch (shown to tests as data-events). */
  const [events, setEvents] = useState(0);
  const { perform: run, busy, error } = useMutation();
  const batchRef = useRef<string | undefined>(undefined);
  const id = useId();
  const parsed = useMemo(() => namesFromCsv(csv), [csv]);
  const count = parsed.names.length;
  const countIssue =
    csv.trim() && count === 0
      ? 'no names found'
      : count > MAX_BATCH
        ? `at most ${MAX_BATCH} names per batch`
        : undefined;

  useEffect(
    () =>
      pkiApi.onBatchProgress((p) => {
        // The batch id is known only when the call returns: follow the first batch that reports while busy.
        if (!batchRef.current) batchRef.current = p.batchId;
        if (p.batchId !== batchRef.current) return;
        setEvents((n) => n + 1);
        // Never move backwards (a late event after the final answer).
        setProgress((prev) => (prev && prev.batchId === p.batchId && prev.done > p.done ? prev : p));
      }),
    [],
  );

  const start = async (e: React.FormEvent) => {
    e.preventDefault();
    if (count === 0 || countIssue || settingsIssues(settings)) return;
    batchRef.current = undefined;
    setResult(undefined);
    setEvents(0);
    setProgress({ batchId: '', done: 0, total: count });
    const r = await run(() =>
      pkiApi.batchIssue({
        csv: parsed.names.join('\n'),
        accountId: settings.accountId || null,
        commonNameStyle: settings.commonNameStyle,
        keyAlgorithm: settings.keyAlgorithm,
        validityDays: Number(settings.validityDays),
      }),
    );
    if (r) {
      batchRef.current = r.batchId;
      setProgress({ batchId: r.batchId, done: r.issued.length, total: r.issued.length });
      setResult({ count: r.issued.length, batchId: r.batchId });
      onDone();
    } else setProgress(undefined);
  };

  const pct = progress && progress.total > 0 ? Math.round((progress.done / progress.total) * 100) : 0;

  return (
    <Dialog title="Batch issue from a CSV" onClose={onClose} testId="batch-dialog" wide>
      <form onSubmit={start} noValidate className="cert-wizard">
        <div className={`brk-field${countIssue ? ' invalid' : ''}`}>
          <label htmlFor={`${id}-csv`}>
            Device names (CSV: one per line, first column; a header row is skipped)
          </label>
          <textarea
            id={`${id}-csv`}
            data-testid="batch-csv"
            data-autofocus
            className="mono"
            rows={8}
            spellCheck={false}
            value={csv}
            placeholder={'name\nsensor-0001\nsensor-0002'}
            onChange={(e) => setCsv(e.target.value)}
            disabled={busy}
            aria-invalid={countIssue ? true : undefined}
          />
          <span className="cert-csv-summary small">
            <label className="cert-file">
              <input
                type="file"
                accept=".csv,.txt,text/csv,text/plain"
                onChange={(e) => {
                  const file = e.target.files?.[0];
                  if (file) void file.text().then(setCsv);
                }}
              />
              or choose a file…
            </label>
            {countIssue ? (
              <span className="brk-field-error" role="alert">
                {countIssue}
              </span>
            ) : (
              <span data-testid="batch-count">
                {count} name{count === 1 ? '' : 's'}
                {parsed.duplicates.length ? ` (${parsed.duplicates.length} duplicates skipped)` : ''}
                {count ? `: ${parsed.names.slice(0, 3).join(', ')}${count > 3 ? ', …' : ''}` : ''}
              </span>
            )}
          </span>
        </div>
        <IssueSettingsFields
          value={settings}
          onChange={setSettings}
          exampleName={parsed.names[0] ?? 'sensor-0001'}
        />
        {progress ? (
          <div
            className="cert-progress"
            data-testid="batch-progress"
            data-done={progress.done}
            data-total={progress.total}
            data-events={events}
          >
            <progress max={progress.total || 1} value={progress.done} aria-label="Batch progress" />
            <span className="mono">
              {progress.done} / {progress.total} ({pct}%)
            </span>
          </div>
        ) : null}
        {result ? (
          <p className="cert-ok" role="status" data-testid="batch-result">
            Issued {result.count} certificates (batch {result.batchId.slice(0, 8)}).
          </p>
        ) : null}
        <ErrorNote message={error} />
        <div className="brk-form-actions">
          {result ? (
            <button type="button" className="primary" onClick={onClose}>
              Done
            </button>
          ) : (
            <button
              type="submit"
              className="primary"
              disabled={busy || count === 0 || !!countIssue || settingsIssues(settings)}
            >
              {busy ? 'Issuing…' : `Issue ${count || ''} certificate${count === 1 ? '' : 's'}`}
            </button>
          )}
          {result ? null : (
            <button type="button" onClick={onClose} disabled={busy}>
              Cancel
            </button>
          )}
        </div>
      </form>
    </Dialog>
  );
}
