import { useState } from 'react';
import { errorMessage } from '../../api/api-call-error';
import { api } from '../../api/client';
import { parseImportCsv } from './csv';
import { rememberSecrets } from './secrets';

/** Bulk import: one provision request per CSV row, created one by one with progress and per-row errors. */
export function CsvImport(props: { accounts: { id: string; name: string }[]; onImported(): void }) {
  const [accountId, setAccountId] = useState('');
  const [text, setText] = useState('');
  const [generateKeys, setGenerateKeys] = useState(false);
  const [progress, setProgress] = useState<{ done: number; total: number }>();
  const [errors, setErrors] = useState<{ line: number; error: string }[]>([]);
  const [running, setRunning] = useState(false);
  const target = accountId || props.accounts[0]?.id || '';

  const start = async () => {
    const parsed = parseImportCsv(text);
    const rowErrors = [...parsed.errors];
    setErrors(rowErrors);
    setRunning(true);
    setProgress({ done: 0, total: parsed.rows.length });
    for (const [index, row] of parsed.rows.entries()) {
      try {
        const created = await api().call('provisioning.create', {
          targetAccountId: target,
          clientId: row.clientId,
          username: row.username,
          password: row.password,
          expiresAt: row.expiresAt,
          generateActivationKey: generateKeys,
        });
        rememberSecrets(created.request.id, {
          password: row.password,
          activationKey: created.activationKey ?? undefined,
        });
      } catch (err) {
        rowErrors.push({ line: row.line, error: errorMessage(err) });
        setErrors([...rowErrors]);
      }
      setProgress({ done: index + 1, total: parsed.rows.length });
    }
    setRunning(false);
    props.onImported();
  };

  return (
    <section className="panel" data-testid="provisioning-import">
      <h2>CSV bulk import</h2>
      <p className="muted">
        One device per line: <span className="mono">client-id,username,password[,expires-on]</span>.
      </p>
      <div className="pv-actions">
        <select aria-label="Target account" value={target} onChange={(e) => setAccountId(e.target.value)}>
          {props.accounts.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
        <label>
          <input type="checkbox" checked={generateKeys} onChange={(e) => setGenerateKeys(e.target.checked)} />{' '}
          generate activation keys
        </label>
        <input
          type="file"
          accept=".csv,text/csv"
          aria-label="CSV file"
          onChange={(e) => void e.target.files?.[0]?.text().then(setText)}
        />
      </div>
      <textarea
        aria-label="CSV rows"
        rows={5}
        style={{ width: '100%' }}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <button type="button" disabled={running || !text.trim() || !target} onClick={() => void start()}>
        Import
      </button>
      {progress ? (
        <span data-testid="provisioning-import-progress">
          {' '}
          {progress.done} / {progress.total} rows
        </span>
      ) : null}
      {errors.length > 0 ? (
        <ul className="error" data-testid="provisioning-import-errors">
          {errors.map((e) => (
            <li key={`${e.line}-${e.error}`}>
              line {e.line}: {e.error}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
