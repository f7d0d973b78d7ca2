import { MAX_FILE_CHUNK_BYTES } from '../../../../preload/contract/explorer-files';
import type { ResponseOf } from '../../../../preload/contract';
import { type Query, useMutation } from '../../api/hooks';
import { ErrorNote } from '../../components';
import { formatBytes, formatTime } from '../../format';
import { base64ToBytes, downloadBlob } from '../explorer/util';

const MIME: Record<string, string> = {
  csv: 'text/csv',
  json: 'application/json',
  jsonl: 'application/x-ndjson',
};

/**
 * The exports folder: every capture and export Fieldbench wrote, to download into the browser (bytes
 * come over the operator API in chunks) or open as a capture; on the desktop the folder can be chosen.
 */
export function ExportFiles({
  files,
  onOpen,
}: {
  files: Query<ResponseOf<'explorer.files.list'>>;
  onOpen(name: string): void;
}) {
  const action = useMutation();

  const download = async (name: string) => {
    const parts: Uint8Array[] = [];
    let offset = 0;
    for (;;) {
      const chunk = await action.run('explorer.files.read', { name, offset, length: MAX_FILE_CHUNK_BYTES });
      if (!chunk) return;
      const bytes = base64ToBytes(chunk.data);
      parts.push(bytes);
      offset += bytes.length;
      if (bytes.length === 0 || offset >= chunk.size) break;
    }
    const all = new Uint8Array(offset);
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    downloadBlob(name, all, MIME[name.split('.').pop() ?? ''] ?? 'application/octet-stream');
  };
  const choose = async () => {
    if (await action.run('explorer.files.chooseFolder', {})) files.reload();
  };

  const data = files.data;
  return (
    <div className="export-files" data-testid="export-files">
      <div className="capture-row">
        <span className="muted small">
          Files are written to and opened from <span className="mono">{data?.folder ?? '…'}</span>
        </span>
        {data?.canChooseFolder ? (
          <button type="button" onClick={choose} disabled={action.busy} data-testid="files-choose">
            Choose folder…
          </button>
        ) : null}
        <button type="button" onClick={files.reload} disabled={files.loading}>
          Refresh
        </button>
      </div>
      {data && data.files.length > 0 ? (
        <table className="grid small">
          <thead>
            <tr>
              <th>File</th>
              <th>Size</th>
              <th>Modified</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data.files.map((f) => (
              <tr key={f.name} data-testid="export-file-row">
                <td className="mono">{f.name}</td>
                <td>{formatBytes(f.size)}</td>
                <td>{formatTime(f.modifiedAt)}</td>
                <td>
                  <button
                    type="button"
                    onClick={() => download(f.name)}
                    disabled={action.busy}
                    aria-label={`Download ${f.name}`}
                  >
                    Download
                  </button>
                  {f.name.endsWith('.jsonl') ? (
                    <button type="button" onClick={() => onOpen(f.name)} aria-label={`Open ${f.name}`}>
                      Open
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted small">No captures or exports yet.</p>
      )}
      <ErrorNote message={action.error ?? files.error} />
    </div>
  );
}
