import crypto from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { ExplorerTemplate } from '../../../preload/contract/explorer';

type TemplateBody = Omit<ExplorerTemplate, 'id' | 'name' | 'createdAt' | 'updatedAt'>;

interface TemplateRow {
  id: string;
  name: string;
  body: string;
  created_at: number;
  updated_at: number;
}

/** Saved publish templates. */
export class TemplateStore {
  constructor(private readonly db: Database) {}

  list(): ExplorerTemplate[] {
    const rows = this.db.prepare('SELECT * FROM explorer_templates ORDER BY name, id').all() as TemplateRow[];
    return rows.map(toTemplate);
  }

  save(
    input: Omit<ExplorerTemplate, 'id' | 'createdAt' | 'updatedAt'> & { id?: string | undefined },
  ): ExplorerTemplate {
    const now = Date.now();
    const id = input.id ?? crypto.randomUUID();
    const { id: _id, name, ...body } = input;
    this.db
      .prepare(
        `INSERT INTO explorer_templates (id, name, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, body = excluded.body, updated_at = excluded.updated_at`,
      )
      .run(id, name, JSON.stringify(body satisfies TemplateBody), now, now);
    return toTemplate(
      this.db.prepare('SELECT * FROM explorer_templates WHERE id = ?').get(id) as TemplateRow,
    );
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM explorer_templates WHERE id = ?').run(id).changes > 0;
  }
}

function toTemplate(row: TemplateRow): ExplorerTemplate {
  return {
    ...(JSON.parse(row.body) as TemplateBody),
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
