import { useState } from 'react';
import { useMutation } from '../../api/hooks';
import { ErrorNote } from '../../components';
import { topicFilterProblem } from '../explorer/util';

/** Exports a connection's stored messages to a CSV or JSON file on the Fieldbench host. */
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
  const action = useMutation();
  const exportProblem =
    topicFilterProblem(exportTopic) ?? (exportFile ? undefined : 'Enter a file path on the Fieldbench host.');
  const doExport = async () => {
    if (exportProblem) return;
    const res = await action.run('explorer.export', {
      connectionId,
      topic: exportTopic,
      format: exportFormat,
      file: exportFile,
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
          <span>File (path on the Fieldbench host)</span>
          <input
            value={exportFile}
            onChange={(e) => setExportFile(e.target.value)}
            placeholder={`/tmp/messages.${exportFormat}`}
            data-testid="export-file"
            className="mono"
          />
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
