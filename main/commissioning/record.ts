import type { DeviceHello } from '../serial';

export interface RecordStep {
  name: string;
  startedAt: number;
  endedAt: number;
  result: 'ok' | 'failed';
  detail: string;
}

/** What a commissioning run leaves behind: signed, stored, exportable. */
export interface CommissioningRecord {
  format: 'fieldbench-commissioning-record/1';
  id: string;
  port: string;
  device: DeviceHello | null;
  targetAccount: { id: string; name: string };
  provisionRequestId: string | null;
  clientId: string | null;
  /** The settings pushed to the device; secrets replaced by `[redacted]`. */
  settingsPushed: Record<string, unknown>;
  files: { name: string; sha256: string; size: number }[];
  certificates: { role: string; subject: string; sha256Fingerprint: string }[];
  steps: RecordStep[];
  operator: string;
  result: 'succeeded' | 'failed';
  error: string | null;
  startedAt: number;
  endedAt: number;
}

const SECRETS = new Set(['password', 'activation-key']);

export function redactSettings(settings: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(settings).map(([k, v]) => [k, SECRETS.has(k) && v !== '' ? '[redacted]' : v]),
  );
}

const escapeHtml = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const iso = (ms: number) => new Date(ms).toISOString();

/** A self-contained, readable HTML report of a record (no scripts, everything escaped). */
export function recordToHtml(
  record: CommissioningRecord,
  verification: { valid: boolean; reason: string; signerSubject: string | null },
): string {
  const rows = (pairs: [string, unknown][]) =>
    pairs.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
  const d = record.device;
  const steps = record.steps
    .map(
      (s) =>
        `<tr class="${s.result}"><td>${escapeHtml(s.name)}</td><td>${iso(s.startedAt)}</td><td>${s.endedAt - s.startedAt} ms</td><td>${s.result}</td><td>${escapeHtml(s.detail)}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Commissioning record ${escapeHtml(record.id)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}.failed{color:#a00}.ok{color:#060}</style></head>
<body><h1>Commissioning record</h1>
<p class="${record.result === 'succeeded' ? 'ok' : 'failed'}">Result: <strong>${record.result}</strong>${record.error ? ` — ${escapeHtml(record.error)}` : ''}</p>
<p>Signature: <strong>${verification.valid ? 'valid' : 'INVALID'}</strong> (${escapeHtml(verification.reason)}; signer ${escapeHtml(verification.signerSubject)})</p>
<h2>Device</h2><table>${rows([
    ['Model', d?.model],
    ['Serial number', d?.serial],
    ['MAC', d?.mac],
    ['Firmware', d?.firmware],
    ['Port', record.port],
    ['Client id', record.clientId],
    ['Target account', record.targetAccount.name],
    ['Operator', record.operator],
    ['Started', iso(record.startedAt)],
    ['Ended', iso(record.endedAt)],
  ])}</table>
<h2>Settings pushed</h2><table>${rows(Object.entries(record.settingsPushed))}</table>
<h2>Files and certificates</h2><table>${rows([
    ...record.files.map((f) => [f.name, `${f.size} bytes, SHA-256 ${f.sha256}`] as [string, unknown]),
    ...record.certificates.map(
      (c) => [c.role, `${c.subject} — SHA-256 ${c.sha256Fingerprint}`] as [string, unknown],
    ),
  ])}</table>
<h2>Steps</h2><table><tr><th>Step</th><th>Started</th><th>Took</th><th>Result</th><th>Detail</th></tr>${steps}</table>
<p>Record id ${escapeHtml(record.id)}</p></body></html>
`;
}
