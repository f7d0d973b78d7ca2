import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface RateSeries {
  label: string;
  /** A CSS variable name (e.g. `--accent`) or a colour. */
  color: string;
  values: number[];
}

function resolveColor(color: string, el: Element): string {
  if (!color.startsWith('--')) return color;
  return getComputedStyle(el).getPropertyValue(color).trim() || '#1f6feb';
}

/**
 * A small live time-series chart (uPlot): x is wall-clock time in ms, one or more series. The chart
 * is created once per set of series and fed with `setData`, so a once-a-second update costs little.
 */
export function RateChart({
  title,
  times,
  series,
  height = 160,
  testId,
  format,
  windowSeconds = 300,
}: {
  title: string;
  times: number[];
  series: RateSeries[];
  height?: number;
  testId?: string;
  format?: (v: number) => string;
  /** Width of the visible time window. */
  windowSeconds?: number;
}) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = series.map((s) => `${s.label}|${s.color}`).join('\u0000');
  const timesRef = useRef(times);
  timesRef.current = times;
  const formatRef = useRef(format);
  formatRef.current = format;
  const scheme = useColorScheme();

  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt only when the set of series changes; data flows through setData.
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const muted = resolveColor('--muted', el);
    const grid = resolveColor('--border', el);
    const axis: uPlot.Axis = {
      stroke: muted,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
      font: '11px system-ui, sans-serif',
    };
    const opts: uPlot.Options = {
      width: Math.max(240, el.clientWidth),
      height,
      cursor: { drag: { x: false, y: false } },
      legend: { show: false },
      // A fixed window ending now: new samples slide in from the right.
      scales: {
        // Moved by setScale after each update: a window ending at the newest sample.
        x: { time: true, auto: false },
        y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
      },
      axes: [
        axis,
        {
          ...axis,
          size: 48,
          values: (_u, splits) => splits.map((v) => (formatRef.current ? formatRef.current(v) : String(v))),
        },
      ],
      series: [
        {},
        ...series.map((s) => {
          const stroke = resolveColor(s.color, el);
          return {
            label: s.label,
            stroke,
            fill: `${stroke}22`,
            width: 1.5,
            points: { show: false },
            value: (_u: uPlot, v: number | null) =>
              v == null ? '–' : formatRef.current ? formatRef.current(v) : String(v),
          };
        }),
      ],
    };
    const u = new uPlot(opts, toAligned(times, series), el);
    plot.current = u;
    u.setScale('x', xWindow(timesRef.current, windowSeconds));
    const observer = new ResizeObserver(() => u.setSize({ width: Math.max(240, el.clientWidth), height }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [shape, height, scheme, windowSeconds]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.setData(toAligned(times, series), false);
    u.setScale('x', xWindow(times, windowSeconds));
  }, [times, series, windowSeconds]);

  return (
    <figure
      className="brk-chart"
      data-testid={testId}
      aria-label={title}
      data-points={times.length}
      data-latest={series[0]?.values[series[0].values.length - 1] ?? ''}
    >
      <figcaption>
        <strong>{title}</strong>
        {series.map((s) => {
          const last = s.values[s.values.length - 1];
          return (
            <span key={s.label} className="brk-latest">
              <span
                className="brk-swatch"
                style={{ background: s.color.startsWith('--') ? `var(${s.color})` : s.color }}
              />
              {s.label} <b>{last === undefined ? '–' : format ? format(last) : String(last)}</b>
            </span>
          );
        })}
      </figcaption>
      <div ref={host} />
    </figure>
  );
}

/** A window ending at the newest sample that grows from one minute to `windowSeconds`. */
function xWindow(times: number[], windowSeconds: number): { min: number; max: number } {
  const max = (times[times.length - 1] ?? Date.now()) / 1000;
  const first = (times[0] ?? max * 1000) / 1000;
  return { min: max - Math.min(windowSeconds, Math.max(60, max - first)), max };
}

function toAligned(times: number[], series: RateSeries[]): uPlot.AlignedData {
  return [times.map((t) => t / 1000), ...series.map((s) => s.values)] as uPlot.AlignedData;
}

/** 'dark' or 'light', following the system setting live (the chart re-reads its colours). */
function useColorScheme(): 'dark' | 'light' {
  const [query] = useState(() =>
    typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : undefined,
  );
  const [dark, setDark] = useState(query?.matches ?? false);
  useEffect(() => {
    if (!query) return;
    const onChange = () => setDark(query.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, [query]);
  return dark ? 'dark' : 'light';
}
