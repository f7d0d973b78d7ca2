import { useEffect, useState } from 'react';
import { useMutation } from '../../api/hooks';
import { ErrorNote } from '../../components';
import { treeModel, useTree } from './tree-store';
import { topicFilterProblem } from './util';

/** Clears retained messages: one topic directly, a subtree after a dry-run preview and confirmation. */
export function RetainedPanel() {
  const connectionId = useTree((s) => s.connectionId);
  const selected = useTree((s) => s.selected);
  useTree((s) => s.values);
  const node = selected ? treeModel.nodes.get(selected) : undefined;
  const [preview, setPreview] = useState<{ filter: string; topics: string[] }>();
  const [notice, setNotice] = useState<string>();
  const action = useMutation();
  const account = node?.account;
  const display = node ? node.displayTopic || node.path : '';
  const [filter, setFilter] = useState(display ? `${display}/#` : '');

  useEffect(() => {
    if (display) setFilter(`${display}/#`);
    setPreview(undefined);
  }, [display]);

  const problem = topicFilterProblem(filter);

  const clearOne = async () => {
    if (!node) return;
    const ok = await action.run('explorer.retained.clear', {
      connectionId,
      topic: display,
      ...(account ? { account } : {}),
    });
    if (ok) setNotice(`Cleared the retained message of ${display}.`);
  };

  const dryRun = async () => {
    if (problem) return;
    setNotice(undefined);
    const res = await action.run('explorer.retained.clearSubtree', {
      connectionId,
      filter,
      ...(account ? { account } : {}),
      dryRun: true,
    });
    if (res) setPreview({ filter, topics: res.topics });
  };

  const confirm = async () => {
    if (!preview) return;
    const res = await action.run('explorer.retained.clearSubtree', {
      connectionId,
      filter: preview.filter,
      ...(account ? { account } : {}),
      dryRun: false,
    });
    if (res) {
      setNotice(
        `Cleared ${res.cleared} retained message${res.cleared === 1 ? '' : 's'} under ${preview.filter}.`,
      );
      setPreview(undefined);
    }
  };

  return (
    <section className="panel retained-panel" aria-label="Retained messages" data-testid="retained-panel">
      <h2>Retained messages</h2>
      {node ? (
        <p>
          <button
            type="button"
            onClick={clearOne}
            disabled={!node.retained || action.busy}
            data-testid="clear-retained"
          >
            Clear retained on {display}
          </button>{' '}
          {!node.retained ? <span className="muted small">(this topic has no retained message)</span> : null}
        </p>
      ) : null}
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void dryRun();
        }}
      >
        <label className="field wide">
          <span>Clear a subtree (topic filter)</span>
          <input
            value={filter}
            onChange={(e) => {
              setFilter(e.target.value);
              setPreview(undefined);
            }}
            placeholder="plant/line1/#"
            aria-invalid={filter && problem ? true : undefined}
            data-testid="retained-filter"
          />
          {filter && problem ? <span className="field-problem">{problem}</span> : null}
        </label>
        <button type="submit" disabled={!!problem || action.busy} data-testid="retained-preview">
          Preview
        </button>
      </form>
      {preview ? (
        <div className="retained-preview" data-testid="retained-preview-list">
          {preview.topics.length === 0 ? (
            <p>No retained messages match {preview.filter}.</p>
          ) : (
            <>
              <p>
                {preview.topics.length.toLocaleString()} retained message
                {preview.topics.length === 1 ? '' : 's'} will be cleared:
              </p>
              <ul className="topic-list mono">
                {preview.topics.slice(0, 1000).map((t) => (
                  <li key={t}>{t}</li>
                ))}
                {preview.topics.length > 1000 ? <li>… and {preview.topics.length - 1000} more</li> : null}
              </ul>
              <button
                type="button"
                className="danger"
                onClick={confirm}
                disabled={action.busy}
                data-testid="retained-confirm"
              >
                Clear {preview.topics.length.toLocaleString()} retained messages
              </button>{' '}
              <button type="button" onClick={() => setPreview(undefined)}>
                Cancel
              </button>
            </>
          )}
        </div>
      ) : null}
      {notice ? (
        <p role="status" data-testid="retained-notice">
          {notice}
        </p>
      ) : null}
      <ErrorNote message={action.error} />
    </section>
  );
}
