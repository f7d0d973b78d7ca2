import { useState } from 'react';
import { useMutation } from '../../api/hooks';
import { ErrorNote } from '../../components';
import { topicFilterProblem } from '../explorer/util';

/** The server's file-name rule, checked before sending: a plain name in the exports folder. */
function fileNameProblem(name: string, extension: string): string | undefined {
  if (!name) return 'Enter a file name.';
  if (/[/\\]/.test(name)) return 'A plain file name, without folders: files go to the exports folder.';
  if (name.startsWith('.')) return 'A file name cannot start with a dot.';
  if (name.length > 120) return 'At most 120 characters.';
  if (!name.toLowerCase().endsWith(extension)) return `The name must end in ${extension}.`;
  return undefined;
}

/** Exports a connection's stored messages to a CSV or JSON file in the exports folder. */
export function ExportForm({
  connectionId,
  onExported,
}: {
  connectionId: string;
  onExported(notice: string): void;
}) {
  const [exportFormat, setExportFormat] = useState<'csv' | 'json'>('csv');
  const [exportTopic, setExportTopic] = useState('#');
  const [exportFile, setExportFile] = useState('');
  const [overwrite, setOverwrite] = useState(false);
  const action = useMutation();
  const exportProblem = topicFilterProblem(exportTopic) ?? fileNameProblem(exportFile, `.${exportFormat}`);
  const doExport = async () => {
    if (exportProblem) return;
    const res = await action.run('explorer.export', {
      connectionId,
      topic: exportTopic,
      format: exportFormat,
      file: exportFile,
      overwrite,
    });
    if (res) onExported(`Exported ${res.count} messages to ${res.file}`);
  };
  return (
    <>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void doExport();
        }}
      >
        <label className="field">
          <span>Export stored messages</span>
          <select
            data-testid="export-format"
            value={exportFormat}
            onChange={(e) => setExportFormat(e.target.value as 'csv' | 'json')}
          >
            <option value="csv">CSV</option>
            <option value="json">JSON</option>
          </select>
        </label>
        <label className="field">
          <span>Topic filter</span>
          <input value={exportTopic} onChange={(e) => setExportTopic(e.target.value)} />
        </label>
        <label className="field wide">
          <span>File name (in the exports folder)</span>
          <input
            value={exportFile}
            onChange={(e) => setExportFile(e.target.value)}
            placeholder={`messages.${exportFormat}`}
            data-testid="export-file"
            className="mono"
          />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={overwrite}
            onChange={(e) => setOverwrite(e.target.checked)}
            data-testid="export-overwrite"
          />
          Replace an existing file
        </label>
        <button type="submit" disabled={!!exportProblem || action.busy} data-testid="export-start">
          Export
        </button>
      </form>
      {exportFile && exportProblem ? <span className="field-problem">{exportProblem}</span> : null}
      <ErrorNote message={action.error} />
    </>
  );
}
