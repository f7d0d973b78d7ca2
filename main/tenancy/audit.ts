import type { AuditEntry } from '../../preload/contract/tenancy';
import type { CallContext } from '../api/handlers';
import type { TenancyContext } from './context';

export interface AuditFilter {
  from?: number;
  to?: number;
  actor?: string;
  action?: string;
  target?: string;
}

interface AuditRow {
  id: number;
  at: number;
  actor: string;
  transport: string;
  action: string;
  target: string | null;
  details: string | null;
}

const SECRET_KEYS = /pass(word)?|secret|^key$|token/i;

/** Removes anything secret-looking before it is written to the audit log. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.test(k) ? '[redacted]' : redact(v)]),
    );
  }
  return value;
}

function where(filter: AuditFilter): { sql: string; params: (string | number)[] } {
  const clauses: string[] = [];
  const params: (string | number)[] = [];
  const add = (clause: string, value: string | number) => {
    clauses.push(clause);
    params.push(value);
  };
  if (filter.from !== undefined) add('at >= ?', filter.from);
  if (filter.to !== undefined) add('at <= ?', filter.to);
  if (filter.actor !== undefined) add('actor = ?', filter.actor);
  // "accounts." matches every accounts action.
  if (filter.action?.endsWith('.'))
    add("action LIKE ? ESCAPE '\\'", `${filter.action.replace(/[\\%_]/g, '\\$&')}%`);
  else if (filter.action !== undefined) add('action = ?', filter.action);
  if (filter.target !== undefined) add('target = ?', filter.target);
  return { sql: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

function toEntry(row: AuditRow): AuditEntry {
  let details: unknown = null;
  if (row.details !== null) {
    try {
      details = JSON.parse(row.details);
    } catch {
      details = row.details;
    }
  }
  return { ...row, details };
}

function csvCell(value: unknown): string {
  const text =
    value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  // Quote everything that could break a row, and neutralise spreadsheet formulas.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n']/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The operator audit trail in the core `audit_log` table. */
export class AuditLog {
  constructor(private readonly ctx: TenancyContext) {}

  record(call: CallContext, action: string, target: string | null, details?: unknown): void {
    this.ctx.db
      .prepare(
        'INSERT INTO audit_log (at, actor, transport, action, target, details) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        this.ctx.now(),
        call.actor,
        call.transport,
        action,
        target,
        details === undefined ? null : JSON.stringify(redact(details)),
      );
  }

  query(filter: AuditFilter, limit: number, offset: number): { entries: AuditEntry[]; total: number } {
    const { sql, params } = where(filter);
    const total =
      this.ctx.db
        .prepare<(string | number)[], { n: number }>(`SELECT COUNT(*) AS n FROM audit_log ${sql}`)
        .get(...params)?.n ?? 0;
    const rows = this.ctx.db
      .prepare<(string | number)[], AuditRow>(
        `SELECT * FROM audit_log ${sql} ORDER BY id DESC LIMIT ? OFFSET ?`,
      )
      .all(...params, limit, offset);
    return { entries: rows.map(toEntry), total };
  }

  export(
    filter: AuditFilter,
    format: 'csv' | 'json',
  ): { mimeType: string; filename: string; content: string } {
    const { sql, params } = where(filter);
    const entries = this.ctx.db
      .prepare<(string | number)[], AuditRow>(`SELECT * FROM audit_log ${sql} ORDER BY id`)
      .all(...params)
      .map(toEntry);
    const stamp = new Date(this.ctx.now()).toISOString().replace(/[:.]/g, '-');
    if (format === 'json') {
      return {
        mimeType: 'application/json',
        filename: `fieldbench-audit-${stamp}.json`,
        content: JSON.stringify(entries, null, 2),
      };
    }
    const header = ['id', 'time', 'actor', 'transport', 'action', 'target', 'details'];
    const lines = entries.map((e) =>
      [e.id, new Date(e.at).toISOString(), e.actor, e.transport, e.action, e.target, e.details]
        .map(csvCell)
        .join(','),
    );
    return {
      mimeType: 'text/csv',
      filename: `fieldbench-audit-${stamp}.csv`,
      content: `${[header.join(','), ...lines].join('\r\n')}\r\n`,
    };
  }
}
