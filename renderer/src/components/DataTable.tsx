import { type ReactNode, useMemo, useState } from 'react';
import { EmptyState } from './EmptyState';

export interface Column<T> {
  key: string;
  header: ReactNode;
  render(row: T): ReactNode;
  /** Makes the column sortable (click its header) by this value. */
  sortValue?(row: T): string | number | null | undefined;
  /** The text the filter box searches; defaults to the sort value. */
  filterText?(row: T): string;
  align?: 'end';
}

export interface DataTableProps<T> {
  rows: readonly T[];
  columns: readonly Column<T>[];
  rowKey(row: T): string;
  /** Accessible name of the table. */
  label: string;
  /** Shows a filter box that searches the columns' filter text. */
  filterable?: boolean;
  initialSort?: { key: string; direction: 'asc' | 'desc' };
  /** What an empty table says (and, filtered, "No rows match"). */
  empty?: ReactNode;
  testId?: string;
  rowTestId?(row: T): string;
  onRowClick?(row: T): void;
  selectedKey?: string;
}

type Sort = { key: string; direction: 'asc' | 'desc' } | undefined;

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/** A table with click-to-sort headers and an optional filter box, for lists up to a few thousand rows. */
export function DataTable<T>({
  rows,
  columns,
  rowKey,
  label,
  filterable,
  initialSort,
  empty = 'Nothing here yet.',
  testId,
  rowTestId,
  onRowClick,
  selectedKey,
}: DataTableProps<T>) {
  const [sort, setSort] = useState<Sort>(initialSort);
  const [query, setQuery] = useState('');
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    let out = [...rows];
    if (q) {
      out = out.filter((row) =>
        columns.some((c) => {
          const text = c.filterText?.(row) ?? c.sortValue?.(row);
          return text !== null && text !== undefined && String(text).toLowerCase().includes(q);
        }),
      );
    }
    const column = sort && columns.find((c) => c.key === sort.key);
    if (sort && column?.sortValue) {
      const sign = sort.direction === 'asc' ? 1 : -1;
      out.sort((a, b) => sign * compare(column.sortValue?.(a), column.sortValue?.(b)));
    }
    return out;
  }, [rows, columns, query, sort]);

  const toggle = (key: string) =>
    setSort((s) =>
      s?.key === key ? { key, direction: s.direction === 'asc' ? 'desc' : 'asc' } : { key, direction: 'asc' },
    );

  return (
    <div className="ui-table" data-testid={testId}>
      {filterable ? (
        <div className="ui-table-tools">
          <input
            type="search"
            aria-label={`Filter ${label}`}
            placeholder="Filter…"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
          {query ? (
            <span className="muted">
              {shown.length} of {rows.length}
            </span>
          ) : null}
        </div>
      ) : null}
      {shown.length === 0 ? (
        <EmptyState>{rows.length === 0 ? empty : 'No rows match the filter.'}</EmptyState>
      ) : (
        <div className="ui-table-scroll">
          <table className="grid" aria-label={label}>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th
                    key={c.key}
                    className={c.align === 'end' ? 'num' : undefined}
                    aria-sort={
                      sort?.key === c.key
                        ? sort.direction === 'asc'
                          ? 'ascending'
                          : 'descending'
                        : undefined
                    }
                  >
                    {c.sortValue ? (
                      <button type="button" className="ui-sort" onClick={() => toggle(c.key)}>
                        {c.header}
                        <span aria-hidden="true">
                          {sort?.key === c.key ? (sort.direction === 'asc' ? ' ▲' : ' ▼') : ''}
                        </span>
                      </button>
                    ) : (
                      c.header
                    )}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shown.map((row) => {
                const key = rowKey(row);
                return (
                  <tr
                    key={key}
                    data-testid={rowTestId?.(row)}
                    aria-selected={selectedKey === undefined ? undefined : selectedKey === key}
                    className={onRowClick ? 'ui-clickable' : undefined}
                    onClick={onRowClick ? () => onRowClick(row) : undefined}
                  >
                    {columns.map((c) => (
                      <td key={c.key} className={c.align === 'end' ? 'num' : undefined}>
                        {c.render(row)}
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
