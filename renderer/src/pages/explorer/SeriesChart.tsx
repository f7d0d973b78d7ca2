import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const COLORS = ['#1f6feb', '#d1242f', '#1a7f37', '#bf8700', '#8250df', '#0598bc', '#e16f24', '#bf3989'];

export interface SeriesData {
  times: number[];
  series: { field: string; values: (number | null)[] }[];
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** Numeric fields over time with uPlot: several series, drag to zoom, double-click to reset. */
export function SeriesChart({ data, height = 220 }: { data: SeriesData; height?: number }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = data.series.map((s) => s.field).join('\u0000');

  // biome-ignore lint/correctness/useExhaustiveDependencies: the chart is rebuilt only when the set of series changes; data updates go through setData.
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const text = cssVar('--muted', '#888');
    const grid = cssVar('--border', '#ddd');
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const opts: uPlot.Options = {
      width: Math.max(300, el.clientWidth),
      height,
      cursor: { drag: { x: true, y: false } },
      legend: { show: true },
      scales: { x: { time: true } },
      axes: [axis, axis],
      series: [
        {},
        ...data.series.map((s, i) => ({
          label: s.field,
          stroke: COLORS[i % COLORS.length],
          width: 1.5,
          spanGaps: true,
          points: { show: data.times.length < 60 },
        })),
      ],
    };
    const u = new uPlot(opts, toAligned(data), el);
    plot.current = u;
    const observer = new ResizeObserver(() => u.setSize({ width: Math.max(300, el.clientWidth), height }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [shape, height]);

  useEffect(() => {
    plot.current?.setData(toAligned(data));
  }, [data]);

  return <div ref={host} className="series-chart" data-testid="series-chart" />;
}

function toAligned(data: SeriesData): uPlot.AlignedData {
  return [data.times.map((t) => t / 1000), ...data.series.map((s) => s.values)] as uPlot.AlignedData;
}
