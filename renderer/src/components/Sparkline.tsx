interface SparklineProps {
  values: readonly number[];
  width?: number;
  height?: number;
  label: string;
}

/** A tiny line chart for a recent series (memory, rates); scales to its own min/max. */
export function Sparkline({ values, width = 240, height = 48, label }: SparklineProps) {
  if (values.length < 2)
    return <svg width={width} height={height} role="img" aria-label={label} className="sparkline" />;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const step = width / (values.length - 1);
  const points = values.map(
    (v, i) => `${(i * step).toFixed(1)},${(height - 2 - ((v - min) / span) * (height - 4)).toFixed(1)}`,
  );
  return (
    <svg width={width} height={height} role="img" aria-label={label} className="sparkline">
      <polyline points={points.join(' ')} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}
