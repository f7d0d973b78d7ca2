/**
 * Device names from CSV text: one per line, first column; a header row naming the column (name,
 * client id, cn, device…) is skipped; quotes are honoured; blank lines and # comments are ignored.
 */
export function namesFromCsv(text: string): { names: string[]; duplicates: string[] } {
  const names: string[] = [];
  const seen = new Set<string>();
  const duplicates: string[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    const first = firstCell(trimmed).trim();
    if (!first) return;
    if (index === 0 || names.length === 0) {
      if (/^(name|names|device|device[ _-]?name|client[ _-]?id|clientid|cn|common[ _-]?name)$/i.test(first))
        return;
    }
    if (seen.has(first)) {
      duplicates.push(first);
      return;
    }
    seen.add(first);
    names.push(first);
  });
  return { names, duplicates };
}

function firstCell(line: string): string {
  if (line.startsWith('"')) {
    let out = '';
    for (let i = 1; i < line.length; i++) {
      const ch = line[i]!;
      if (ch === '"') {
        if (line[i + 1] === '"') {
          out += '"';
          i++;
        } else return out;
      } else out += ch;
    }
    return out;
  }
  const cut = line.search(/[,;\t]/);
  return cut < 0 ? line : line.slice(0, cut);
}
