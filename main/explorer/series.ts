import type { StoredRow } from './history/history-store';

/** Reads a value by a JSON path like `$.a.b[0]` (or `a.b.0`); `$` is the document itself. */
export function readPath(doc: unknown, path: string): unknown {
  const parts = path
    .replace(/^\$\.?/, '')
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((p) => p !== '');
  let value = doc;
  for (const part of parts) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function asNumber(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return null;
}

function parsePayload(payload: Buffer): unknown {
  const text = payload.toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Numeric JSON paths of a document (up to `max`), e.g. `$.temp`, `$.axes[1]`. */
export function numericPaths(doc: unknown, max = 20, prefix = '$'): string[] {
  if (asNumber(doc) !== null && typeof doc !== 'string') return [prefix];
  if (typeof doc === 'string') return asNumber(doc) !== null ? [prefix] : [];
  const out: string[] = [];
  if (doc && typeof doc === 'object') {
    const entries = Array.isArray(doc)
      ? doc.map((v, i) => [`[${i}]`, v] as const)
      : Object.entries(doc).map(([k, v]) => [`.${k}`, v] as const);
    for (const [key, value] of entries) {
      for (const path of numericPaths(value, max - out.length, prefix + key)) out.push(path);
      if (out.length >= max) break;
    }
  }
  return out;
}

/** Numeric series from stored messages (oldest first). Fields default to every numeric path of the newest message. */
export function buildSeries(
  rows: StoredRow[],
  fields: string[] | undefined,
): { times: number[]; series: { field: string; values: (number | null)[] }[] } {
  const docs = rows.map((r) => parsePayload(r.payload));
  const newest = docs[docs.length - 1];
  const chosen = fields && fields.length > 0 ? fields : numericPaths(newest);
  return {
    times: rows.map((r) => r.time),
    series: chosen.map((field) => ({ field, values: docs.map((d) => asNumber(readPath(d, field))) })),
  };
}
