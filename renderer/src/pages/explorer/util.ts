/** Small helpers shared by the Explorer and Traffic pages (browser only). */

export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    bin += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(bin);
}

export function textToBase64(text: string): string {
  return bytesToBase64(new TextEncoder().encode(text));
}

/** UTF-8 text of base64 bytes, or undefined when the bytes are not valid UTF-8. */
export function base64ToText(b64: string): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(base64ToBytes(b64));
  } catch {
    return undefined;
  }
}

export const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Offers bytes or text as a file download through a Blob URL. */
export function downloadBlob(
  name: string,
  data: Uint8Array | string,
  type = 'application/octet-stream',
): void {
  const part: BlobPart = typeof data === 'string' ? data : (data.slice().buffer as ArrayBuffer);
  const url = URL.createObjectURL(new Blob([part], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Why a topic name cannot be published to, or undefined when it is fine. */
export function topicNameProblem(topic: string): string | undefined {
  if (topic === '') return 'Enter a topic.';
  if (/[+#]/.test(topic)) return 'A topic to publish to cannot contain the wildcards + or #.';
  if (topic.includes('\u0000')) return 'A topic cannot contain a NUL character.';
  if (new TextEncoder().encode(topic).length > 65535) return 'A topic is at most 65,535 bytes.';
  return undefined;
}

/** Why a topic filter is invalid, or undefined when it is fine. */
export function topicFilterProblem(filter: string): string | undefined {
  if (filter === '') return 'Enter a topic filter.';
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1))
      return '# must be a whole level and the last one (as in a/b/#).';
    if (level.includes('+') && level !== '+') return '+ must be a whole level (as in a/+/c).';
  }
  return undefined;
}

/** A string usable as a download file name. */
export function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'payload';
}

/** A line diff (LCS) of two texts, for the "changes since the previous message" view. */
export type DiffLine = { kind: 'same' | 'add' | 'del'; text: string };

export function lineDiff(before: string, after: string, maxLines = 2000): DiffLine[] {
  const a = before.split('\n').slice(0, maxLines);
  const b = after.split('\n').slice(0, maxLines);
  const n = a.length;
  const m = b.length;
  // LCS table, bounded by maxLines² cells.
  const dp: Uint32Array[] = [];
  for (let i = 0; i <= n; i++) dp.push(new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      dp[i]![j] = a[i] === b[j] ? dp[i + 1]![j + 1]! + 1 : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ kind: 'same', text: a[i]! });
      i++;
      j++;
    } else if (dp[i + 1]![j]! >= dp[i]![j + 1]!) {
      out.push({ kind: 'del', text: a[i++]! });
    } else {
      out.push({ kind: 'add', text: b[j++]! });
    }
  }
  while (i < n) out.push({ kind: 'del', text: a[i++]! });
  while (j < m) out.push({ kind: 'add', text: b[j++]! });
  return out;
}

/** Pretty text of a payload for diffs: indented JSON when it parses, else the text itself. */
export function prettyText(text: string): string {
  const trimmed = text.trim();
  if (/^[{[]/.test(trimmed)) {
    try {
      return JSON.stringify(JSON.parse(trimmed), null, 2);
    } catch {
      /* not JSON */
    }
  }
  return text;
}
