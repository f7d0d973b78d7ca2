import type { Metric, ScenarioOutcome } from '../scenarios';

export interface CellKey {
  scenarioId: string;
  targetId: string;
}

export interface BenchRecord {
  scenarioId: string;
  title: string;
  targetId: string;
  outcome: ScenarioOutcome;
}

function formatValue(metric: Metric | undefined, outcome: ScenarioOutcome | undefined): string {
  if (!outcome) return '–';
  if (outcome.status === 'crashed' && (!metric || metric.value === null)) return 'crashed';
  if (!metric || metric.value === null || Number.isNaN(metric.value))
    return outcome.status === 'ok' ? 'n/a' : outcome.status;
  const v = metric.value;
  if (metric.unit === 'yes=1') return v ? 'yes' : 'no';
  const text =
    v >= 10_000
      ? `${(v / 1000).toFixed(1)}k`
      : v >= 100
        ? v.toFixed(0)
        : v >= 1
          ? v.toFixed(2)
          : v.toFixed(3);
  return metric.note ? `${text}*` : text;
}

function ratio(a: Metric | undefined, b: Metric | undefined): string {
  if (!a || !b || a.value === null || b.value === null || !b.value || a.unit === 'yes=1') return '–';
  return `${(a.value / b.value).toFixed(2)}×`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r, i) => {
      const line = r
        .map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
        .join('  ');
      return i === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
    })
    .join('\n');
}

/** The comparison table: one row per metric, one column per broker, then Fieldbench ÷ each other broker. */
export function renderTable(
  records: BenchRecord[],
  targetIds: string[],
  labels: Map<string, string>,
): string {
  const [own, ...others] = targetIds;
  const header = ['metric', 'unit', ...targetIds.map((t) => labels.get(t) ?? t)];
  if (own) header.push(...others.map((o) => `${labels.get(own)}/${labels.get(o)}`));
  const rows: string[][] = [header];
  const notes: string[] = [];
  const scenarioIds = [...new Set(records.map((r) => r.scenarioId))];
  for (const scenarioId of scenarioIds) {
    const byTarget = new Map(
      records.filter((r) => r.scenarioId === scenarioId).map((r) => [r.targetId, r.outcome]),
    );
    const keys = new Map<string, Metric>();
    for (const outcome of byTarget.values())
      for (const m of outcome.metrics) if (!keys.has(m.key)) keys.set(m.key, m);
    for (const [key, template] of keys) {
      const metricOf = (t: string) => byTarget.get(t)?.metrics.find((m) => m.key === key);
      const arrow = template.better === 'higher' ? '↑' : '↓';
      const row = [`${template.label} ${arrow}`, template.unit === 'yes=1' ? '' : template.unit];
      for (const t of targetIds) row.push(formatValue(metricOf(t), byTarget.get(t)));
      if (own) for (const o of others) row.push(ratio(metricOf(own), metricOf(o)));
      rows.push(row);
      for (const t of targetIds) {
        const note = metricOf(t)?.note;
        if (note) notes.push(`* ${labels.get(t)} ${template.label}: ${note}`);
      }
    }
    for (const [t, outcome] of byTarget) {
      if (outcome.detail) notes.push(`${labels.get(t)} ${scenarioId}: ${outcome.status}: ${outcome.detail}`);
    }
  }
  return `${table(rows)}\n${notes.length ? `\n${[...new Set(notes)].join('\n')}\n` : ''}`;
}

/** CPU of broker and load generator during each measured window (percent of one core; 2 cores = 200%). */
export function renderCpuTable(
  records: BenchRecord[],
  targetIds: string[],
  labels: Map<string, string>,
): string {
  const rows: string[][] = [['scenario', '', ...targetIds.map((t) => `${labels.get(t)} broker / generator`)]];
  for (const scenarioId of [...new Set(records.map((r) => r.scenarioId))]) {
    const cells = targetIds.map((t) => {
      const cpu = records.find((r) => r.scenarioId === scenarioId && r.targetId === t)?.outcome.cpu;
      return cpu ? `${cpu.brokerPct.toFixed(0)}% / ${cpu.generatorPct.toFixed(0)}%` : '–';
    });
    if (cells.some((c) => c !== '–')) rows.push([scenarioId, '', ...cells]);
  }
  return table(rows);
}
