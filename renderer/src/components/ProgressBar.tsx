/**
 * A horizontal bar for progress or usage. `max` null means unlimited (an empty bar); the bar turns
 * warning-coloured from `warnAt` (0.8) and bad when full, if `tone` is "usage".
 */
export function ProgressBar({
  value,
  max,
  label,
  text,
  tone = 'progress',
  warnAt = 0.8,
  testId,
  compact,
}: {
  value: number;
  max: number | null;
  /** Accessible name. */
  label: string;
  /** Text beside the bar; defaults to "value / max". */
  text?: string;
  tone?: 'progress' | 'usage';
  warnAt?: number;
  testId?: string;
  /** A short inline bar (for table cells). */
  compact?: boolean;
}) {
  const ratio = max === null ? 0 : max === 0 ? 1 : Math.min(1, Math.max(0, value / max));
  const level = tone === 'usage' ? (ratio >= 1 ? ' full' : ratio >= warnAt ? ' high' : '') : '';
  const shown = text ?? `${value} / ${max === null ? '∞' : max}`;
  return (
    <span className={`ui-progress${compact ? ' compact' : ''}`} data-testid={testId}>
      <span
        className="ui-progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={max ?? undefined}
        aria-valuenow={value}
        aria-valuetext={shown}
      >
        <span className={`ui-progress-fill${level}`} style={{ width: `${Math.round(ratio * 100)}%` }} />
      </span>
      <span className="ui-progress-text">{shown}</span>
    </span>
  );
}
