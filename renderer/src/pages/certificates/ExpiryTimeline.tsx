import { useLayoutEffect, useMemo, useRef, useState } from 'react';

export interface TimelineItem {
  serial: string;
  commonName: string;
  notBefore: number;
  notAfter: number;
  status: 'active' | 'revoked';
}

const DAY = 86_400_000;
const ROW = 14;
const BAR = 9;
const LEFT = 8;
const AXIS = 26;
const MAX_ROWS = 400;

type Range = '90d' | '1y' | '3y' | 'all';
const ranges: { id: Range; label: string }[] = [
  { id: '90d', label: '90 days' },
  { id: '1y', label: '1 year' },
  { id: '3y', label: '3 years' },
  { id: 'all', label: 'All' },
];

export type ExpiryState = 'valid' | 'expiring' | 'expired' | 'revoked' | 'future';

export function expiryState(item: TimelineItem, now: number, warnDays: number): ExpiryState {
  if (item.status === 'revoked') return 'revoked';
  if (item.notAfter <= now) return 'expired';
  if (item.notBefore > now) return 'future';
  if (item.notAfter - now <= warnDays * DAY) return 'expiring';
  return 'valid';
}

function ticks(from: number, to: number): { t: number; label: string }[] {
  const span = to - from;
  const out: { t: number; label: string }[] = [];
  const d = new Date(from);
  if (span <= 120 * DAY) {
    // Weekly ticks on Mondays.
    d.setHours(0, 0, 0, 0);
    d.setDate(d.getDate() + ((8 - d.getDay()) % 7));
    for (; d.getTime() <= to; d.setDate(d.getDate() + 7))
      out.push({
        t: d.getTime(),
        label: d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' }),
      });
    return out;
  }
  const monthStep = span <= 2 * 365 * DAY ? 1 : span <= 5 * 365 * DAY ? 3 : 12;
  d.setHours(0, 0, 0, 0);
  d.setDate(1);
  d.setMonth(Math.ceil(d.getMonth() / monthStep) * monthStep + (d.getTime() < from ? monthStep : 0));
  for (; d.getTime() <= to; d.setMonth(d.getMonth() + monthStep)) {
    const label =
      monthStep === 12 || d.getMonth() === 0
        ? String(d.getFullYear())
        : d.toLocaleDateString(undefined, { month: 'short' });
    out.push({ t: d.getTime(), label });
  }
  return out;
}

/**
 * Each certificate's validity as a horizontal bar on a time axis, soonest expiry first: a line marks
 * today, the shaded band the next `warnDays` days; bars ending inside it are drawn as warnings.
 */
export function ExpiryTimeline({
  items,
  warnDays = 30,
  selected,
  onSelect,
  now = Date.now(),
}: {
  items: TimelineItem[];
  warnDays?: number;
  selected?: string;
  onSelect?(serial: string): void;
  now?: number;
}) {
  const [range, setRange] = useState<Range>('1y');
  const [width, setWidth] = useState(800);
  const scroller = useRef<HTMLDivElement>(null);
  const hasItems = items.length > 0;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the scroller mounts only once there are items.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () =>
      setWidth((w) => (el.clientWidth && Math.abs(el.clientWidth - w) > 2 ? el.clientWidth : w));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [hasItems]);
  const sorted = useMemo(
    () =>
      [...items]
        .sort((a, b) =>
          a.status !== b.status
            ? a.status === 'active'
              ? -1
              : 1
            : a.notAfter - b.notAfter ||
              a.commonName.localeCompare(b.commonName, undefined, { numeric: true }),
        )
        .slice(0, MAX_ROWS),
    [items],
  );
  const counts = useMemo(() => {
    const c = { valid: 0, expiring: 0, expired: 0, revoked: 0, future: 0 };
    for (const i of items) c[expiryState(i, now, warnDays)]++;
    return c;
  }, [items, now, warnDays]);

  const [from, to] = useMemo(() => {
    if (range === 'all' && items.length > 0) {
      const min = Math.min(now - 7 * DAY, ...items.map((i) => i.notBefore));
      const max = Math.max(now + (warnDays + 7) * DAY, ...items.map((i) => i.notAfter));
      return [min, max + (max - min) * 0.02];
    }
    const span =
      range === '90d' ? 90 * DAY : range === '1y' ? 365 * DAY : range === '3y' ? 3 * 365 * DAY : 365 * DAY;
    return [now - span * 0.1, now + span * 0.9];
  }, [range, items, now, warnDays]);

  const plotWidth = Math.max(200, width - LEFT * 2);
  const x = (t: number) => LEFT + ((Math.min(Math.max(t, from), to) - from) / (to - from)) * plotWidth;
  const height = AXIS + sorted.length * ROW + 6;
  const tickList = ticks(from, to);

  return (
    <div className="cert-timeline" data-testid="expiry-timeline">
      <div className="cert-timeline-head">
        <div className="cert-legend">
          <span className="cert-key cert-key-valid" /> valid{' '}
          <b data-testid="timeline-valid">{counts.valid}</b>
          <span className="cert-key cert-key-expiring" /> expires within {warnDays} days{' '}
          <b data-testid="timeline-expiring">{counts.expiring}</b>
          <span className="cert-key cert-key-expired" /> expired <b>{counts.expired}</b>
          <span className="cert-key cert-key-revoked" /> revoked{' '}
          <b data-testid="timeline-revoked">{counts.revoked}</b>
        </div>
        <fieldset className="cert-segmented">
          <legend className="visually-hidden">Time range</legend>
          {ranges.map((r) => (
            <label key={r.id} className={range === r.id ? 'on' : ''}>
              <input
                type="radio"
                name="cert-timeline-range"
                value={r.id}
                checked={range === r.id}
                onChange={() => setRange(r.id)}
              />
              {r.label}
            </label>
          ))}
        </fieldset>
      </div>
      {items.length === 0 ? (
        <p className="muted">No certificates to draw.</p>
      ) : (
        <div className="cert-timeline-scroll" ref={scroller}>
          <svg
            width={width}
            height={height}
            role="img"
            aria-label={`Validity of ${items.length} certificates: ${counts.expiring} expire within ${warnDays} days, ${counts.expired} expired, ${counts.revoked} revoked`}
          >
            <rect
              className="cert-warn-band"
              x={x(now)}
              y={AXIS - 4}
              width={Math.max(0, x(now + warnDays * DAY) - x(now))}
              height={height - AXIS + 4}
            />
            {tickList.map((t) => (
              <g key={t.t}>
                <line className="cert-grid" x1={x(t.t)} x2={x(t.t)} y1={AXIS - 6} y2={height} />
                <text className="cert-tick" x={x(t.t) + 3} y={12}>
                  {t.label}
                </text>
              </g>
            ))}
            {sorted.map((item, i) => {
              const state = expiryState(item, now, warnDays);
              const x1 = x(item.notBefore);
              const x2 = x(item.notAfter);
              const y = AXIS + i * ROW + (ROW - BAR) / 2;
              const clippedLeft = item.notBefore < from;
              const clippedRight = item.notAfter > to;
              const daysLeft = Math.round((item.notAfter - now) / DAY);
              return (
                // biome-ignore lint/a11y/noStaticElementInteractions: bars mirror the table rows, which are the keyboard path.
                <g
                  key={item.serial}
                  className={`cert-bar cert-bar-${state}${selected === item.serial ? ' selected' : ''}`}
                  data-serial={item.serial}
                  data-state={state}
                  onClick={() => onSelect?.(item.serial)}
                >
                  <title>
                    {`${item.commonName}\n${new Date(item.notBefore).toLocaleDateString()} – ${new Date(item.notAfter).toLocaleDateString()}\n${
                      state === 'revoked'
                        ? 'revoked'
                        : daysLeft >= 0
                          ? `expires in ${daysLeft} days`
                          : `expired ${-daysLeft} days ago`
                    }`}
                  </title>
                  <rect
                    x={x1}
                    y={y}
                    width={Math.max(2, x2 - x1)}
                    height={BAR}
                    rx={clippedLeft || clippedRight ? 0 : 3}
                  />
                  {x2 - x1 > 90 ? (
                    <text className="cert-bar-label" x={Math.max(x1, LEFT) + 4} y={y + BAR - 1}>
                      {item.commonName}
                    </text>
                  ) : null}
                </g>
              );
            })}
            <line className="cert-now" x1={x(now)} x2={x(now)} y1={AXIS - 8} y2={height} />
            <text className="cert-now-label" x={x(now) + 3} y={AXIS - 2}>
              today
            </text>
          </svg>
        </div>
      )}
      {items.length > MAX_ROWS ? (
        <p className="muted small">
          Showing the {MAX_ROWS} soonest-expiring of {items.length} certificates.
        </p>
      ) : null}
    </div>
  );
}
