import { useState } from 'react';
import type { ExplorerConnectionInfo, ExplorerProfile } from '../../../../../preload/contract/explorer';
import { ErrorNote } from '../../../components';

const URL_RE = /^(mqtts?|wss?|tcp|ssl):\/\/[^\s/]+/;

/** The saved profiles with a connect button each, plus new, import from a URL and export. */
export function ProfileList({
  profiles,
  error,
  selectedId,
  connections,
  busy,
  onSelect,
  onNew,
  onConnect,
  onImport,
  onExport,
}: {
  profiles: readonly ExplorerProfile[];
  error: string | undefined;
  selectedId: string | undefined;
  connections: readonly Pick<ExplorerConnectionInfo, 'id' | 'state'>[];
  busy: boolean;
  onSelect(profile: ExplorerProfile): void;
  onNew(): void;
  onConnect(profile: ExplorerProfile): void;
  /** Resolves true when the URL was imported (the field is then cleared). */
  onImport(url: string): Promise<boolean>;
  onExport(): void;
}) {
  const [url, setUrl] = useState('');
  const urlProblem = url && !URL_RE.test(url) ? 'Use a URL such as mqtts://user@host:8883' : undefined;
  return (
    <div className="profile-list">
      <h2>Profiles</h2>
      <ul>
        {profiles.map((p) => (
          <li key={p.id}>
            <button
              type="button"
              className={selectedId === p.id ? 'link selected' : 'link'}
              onClick={() => onSelect(p)}
            >
              {p.name}
              <span className="muted small">
                {' '}
                {p.protocol}://{p.host}:{p.port}
              </span>
            </button>{' '}
            {connections.some((c) => c.id === p.id && c.state === 'connected') ? (
              <span className="muted small">connected</span>
            ) : (
              <button
                type="button"
                className="small"
                disabled={busy}
                aria-label={`Connect ${p.name}`}
                onClick={() => onConnect(p)}
              >
                Connect
              </button>
            )}
          </li>
        ))}
      </ul>
      <button type="button" onClick={onNew}>
        New profile
      </button>
      <div className="import-url">
        <label className="field">
          <span>Import from URL</span>
          <input
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="mqtts://user@host:8883"
            aria-invalid={urlProblem ? true : undefined}
            data-testid="import-url"
          />
          {urlProblem ? <span className="field-problem">{urlProblem}</span> : null}
        </label>
        <button
          type="button"
          onClick={async () => {
            if (await onImport(url)) setUrl('');
          }}
          disabled={!url || !!urlProblem || busy}
        >
          Import
        </button>
      </div>
      <button type="button" onClick={onExport} disabled={busy}>
        Export (without secrets)
      </button>
      <ErrorNote message={error} />
    </div>
  );
}
