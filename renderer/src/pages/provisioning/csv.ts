/** One CSV row of a bulk import: `client-id,username,password[,expires-on]` (a header line is skipped). */
export interface ImportRow {
  line: number;
  clientId: string;
  username: string;
  password: string;
  expiresAt: number | null;
}

export function parseImportCsv(text: string): {
  rows: ImportRow[];
  errors: { line: number; error: string }[];
} {
  const rows: ImportRow[] = [];
  const errors: { line: number; error: string }[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const cells = trimmed.split(',').map((c) => c.trim());
    if (index === 0 && cells[0]?.toLowerCase() === 'client-id') return;
    const [clientId = '', username = '', password = '', expires = ''] = cells;
    if (!clientId || !username || !password) {
      errors.push({ line, error: 'needs client-id, username and password' });
      return;
    }
    let expiresAt: number | null = null;
    if (expires) {
      expiresAt = Date.parse(expires);
      if (Number.isNaN(expiresAt)) {
        errors.push({ line, error: `"${expires}" is not a date` });
        return;
      }
    }
    rows.push({ line, clientId, username, password, expiresAt });
  });
  return { rows, errors };
}
